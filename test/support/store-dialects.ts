import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe } from 'node:test';
import { defaultConfig } from '#src/app-settings.js';
import { OperationalDatabase } from '#src/storage/operational-database.js';
import { OperationalStoreConfig } from '#src/storage/operational-store.config.js';
import { SqliteDatabase } from '#src/storage/sqlite-database.js';
import type { StoreDialect } from '#src/storage/store-migration.js';
import { startPostgres, type PostgresServer } from '#test/support/postgres.js';

export const STORE_DIALECTS: readonly StoreDialect[] = ['sqlite', 'postgres'];

/** The store of the running test: a fresh one per test. */
export interface StoreUnderTest {
  dialect: StoreDialect;
  store: OperationalDatabase;
  /** The PostgreSQL database's URL (undefined on `sqlite`): for a second connection to it. */
  url: string | undefined;
  /** The SQLite file's connection (the store itself on `sqlite`; the features not moved on `postgres`). */
  sqlite: SqliteDatabase;
}

/**
 * Per dialect, a fresh `DATABASE_URL` for each test: undefined for SQLite, else a new database
 * on a real PostgreSQL started once for the suite. Call inside a `describe`.
 */
export function databaseUrlPerTest(dialect: StoreDialect): () => Promise<string | undefined> {
  let server: PostgresServer | undefined;
  if (dialect === 'postgres') {
    before(async () => {
      server = await startPostgres();
    });
    after(() => server?.stop());
  }
  return async () => (server === undefined ? undefined : server.createDatabase());
}

/**
 * Runs the same suite against each operational store, as `describe(`${name} (sqlite)`)` and
 * `(postgres)`: every test gets an empty store (temp DATA_DIR; a new PostgreSQL database).
 */
export function describeEachStore(
  name: string,
  body: (current: () => StoreUnderTest, dialect: StoreDialect) => void,
): void {
  for (const dialect of STORE_DIALECTS) {
    describe(`${name} (${dialect})`, () => {
      const nextUrl = databaseUrlPerTest(dialect);
      let dir = '';
      let current: StoreUnderTest | undefined;
      beforeEach(async () => {
        dir = mkdtempSync(join(tmpdir(), 'convoi-store-'));
        const sqlite = new SqliteDatabase(defaultConfig({ DATA_DIR: dir }));
        const url = await nextUrl();
        const config = new OperationalStoreConfig({ DATABASE_URL: url });
        current = { dialect, store: new OperationalDatabase(config, sqlite), url, sqlite };
      });
      afterEach(async () => {
        await current?.store.onApplicationShutdown();
        await current?.sqlite.onApplicationShutdown();
        current = undefined;
        rmSync(dir, { recursive: true, force: true });
      });
      body(() => {
        if (current === undefined) throw new Error('no store outside a test');
        return current;
      }, dialect);
    });
  }
}
