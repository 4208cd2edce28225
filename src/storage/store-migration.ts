/** The SQL dialects of the operational store. */
export type StoreDialect = 'sqlite' | 'postgres';

/**
 * One schema change of a feature's tables in the operational store, written for each dialect
 * (DDL and triggers differ; queries do not, they are written once with Kysely). Versions are per
 * scope (the owning feature), start at 1 and never change once released: add a migration
 * instead of editing one. Each text may hold several statements.
 */
export interface StoreMigration {
  version: number;
  description: string;
  up: Record<StoreDialect, string>;
}

/** The migrations in one dialect, as the SQLite-only runner (sqlite-file.ts) takes them. */
export function inDialect(
  migrations: readonly StoreMigration[],
  dialect: StoreDialect,
): { version: number; description: string; up: string }[] {
  return migrations.map((m) => ({ version: m.version, description: m.description, up: m.up[dialect] }));
}
