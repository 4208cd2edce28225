import type { StoreMigration } from '#src/storage/store-migration.js';

/** Migration scope of product profiles. */
export const PROFILES_SCOPE = 'profiles';

/**
 * Stored product profiles: the seeded ATP ones (read-only) and planners' own (scope `profiles`).
 * On PostgreSQL ids sort bytewise (`COLLATE "C"`), as on SQLite, so keyset pages are the same.
 */
export const PROFILES_MIGRATIONS: readonly StoreMigration[] = [
  {
    version: 1,
    description: 'product profiles',
    up: {
      // Released as it is (SQLite files already carry version 1): never edit, add a migration.
      sqlite: `
      CREATE TABLE profiles (
        id TEXT PRIMARY KEY, body TEXT NOT NULL, seeded INTEGER NOT NULL,
        created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
    `,
      postgres: `
        CREATE TABLE profiles (
          id TEXT COLLATE "C" PRIMARY KEY, body TEXT NOT NULL, seeded BOOLEAN NOT NULL,
          created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL);
      `,
    },
  },
];
