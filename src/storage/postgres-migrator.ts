import { sql, type Kysely } from 'kysely';
import type { StoreMigration } from './store-migration.js';

/**
 * Key of the advisory lock that serialises every convoi node's migrations (any fixed number;
 * this one spells "cnvo" in ASCII). One lock for all scopes: a feature's migration may refer to
 * another feature's tables, so scopes do not migrate side by side.
 */
const MIGRATION_LOCK_KEY = 0x636e766f;

type MigrationTables = {
  schema_migrations: { scope: string; version: number; description: string; applied_at: number };
};

/**
 * Applies the migrations of one scope that are not applied yet, in version order, all in one
 * transaction (PostgreSQL's DDL is transactional): either the scope reaches its newest version
 * or nothing changes. The transaction first takes an advisory lock, so that when two nodes start
 * at once the second waits for the first to commit, then finds the versions applied. Returns the
 * version reached, or undefined when there was nothing to apply.
 */
export async function migratePostgres(
  db: Kysely<object>,
  scope: string,
  migrations: readonly StoreMigration[],
): Promise<number | undefined> {
  return db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(${sql.lit(MIGRATION_LOCK_KEY)})`.execute(trx);
    // Under the lock: two concurrent CREATE TABLE IF NOT EXISTS can both miss the table and collide.
    await sql`CREATE TABLE IF NOT EXISTS schema_migrations (
                scope TEXT NOT NULL, version INTEGER NOT NULL, description TEXT NOT NULL,
                applied_at BIGINT NOT NULL, PRIMARY KEY (scope, version))`.execute(trx);
    const tables = trx.withTables<MigrationTables>();
    const applied = new Set(
      (
        await tables.selectFrom('schema_migrations').select('version').where('scope', '=', scope).execute()
      ).map((r) => r.version),
    );
    const pending = [...migrations]
      .filter((m) => !applied.has(m.version))
      .sort((a, b) => a.version - b.version);
    for (const m of pending) {
      await sql.raw(m.up.postgres).execute(trx);
      await tables
        .insertInto('schema_migrations')
        .values({ scope, version: m.version, description: m.description, applied_at: Date.now() })
        .execute();
    }
    return pending.at(-1)?.version;
  });
}
