import assert from 'node:assert/strict';
import { OperationalDatabase } from '#src/storage/operational-database.js';
import type { StoreDialect } from '#src/storage/store-migration.js';
import { startPostgres } from './postgres.js';
import { startTestApp, type TestApp, type TestAppOptions } from './test-app.js';

/** A test app on one operational store, and how to stop it with its PostgreSQL. */
export interface AppOnStore {
  app: TestApp;
  /** Closes the app, then stops the PostgreSQL started for it (if any). */
  close(): Promise<void>;
}

/**
 * Starts a test app on `dialect`: SQLite in its temp DATA_DIR, or a fresh database of a real
 * PostgreSQL started for it (`DATABASE_URL` added to `options.env`). Checks the app runs on that
 * store, so a suite named for PostgreSQL never passes on SQLite by mistake.
 */
export async function startAppOnStore(
  dialect: StoreDialect,
  options: TestAppOptions = {},
): Promise<AppOnStore> {
  const postgres = dialect === 'postgres' ? await startPostgres() : undefined;
  try {
    const url = await postgres?.createDatabase();
    const app = await startTestApp({
      ...options,
      env: { ...options.env, ...(url !== undefined && { DATABASE_URL: url }) },
    });
    assert.equal(app.running.app.get(OperationalDatabase).dialect, dialect);
    return {
      app,
      close: async () => {
        await app.close();
        await postgres?.stop();
      },
    };
  } catch (error) {
    await postgres?.stop();
    throw error;
  }
}
