import BetterSqlite3 from 'better-sqlite3';
import { join } from 'node:path';
import pg from 'pg';
import type { MovedTable } from '#src/migrate-store/moved-tables.js';
import { POSTGRES_TYPES } from '#src/storage/postgres-types.js';

/** A table's rows by primary key (as JSON), each row as JSON with booleans as SQLite's 0/1. */
export type RowsByKey = Map<string, string>;

function byKey(rows: Record<string, unknown>[], key: readonly string[]): RowsByKey {
  const map: RowsByKey = new Map();
  for (const row of rows) {
    const normalised = Object.fromEntries(
      Object.entries(row)
        .map(([c, v]) => [c, typeof v === 'boolean' ? Number(v) : v] as const)
        .sort(([a], [b]) => a.localeCompare(b)),
    );
    map.set(JSON.stringify(key.map((c) => row[c])), JSON.stringify(normalised));
  }
  return map;
}

/** Every row of a moved table in its SQLite file of `dataDir` (opened read-only; convoi stopped). */
export function sqliteRows(dataDir: string, t: MovedTable): RowsByKey {
  const db = new BetterSqlite3(join(dataDir, t.file), { readonly: true, fileMustExist: true });
  try {
    return byKey(db.prepare<[], Record<string, unknown>>(`SELECT * FROM "${t.table}"`).all(), t.key);
  } finally {
    db.close();
  }
}

/** Every row of a moved table in PostgreSQL, read as convoi reads it (BIGINT as numbers). */
export async function postgresRows(url: string, t: MovedTable): Promise<RowsByKey> {
  const client = new pg.Client({ connectionString: url, types: POSTGRES_TYPES });
  await client.connect();
  try {
    const { rows } = await client.query<Record<string, unknown>>(`SELECT * FROM "${t.table}"`);
    return byKey(rows, t.key);
  } finally {
    await client.end();
  }
}
