import type { Migration } from '#src/storage/migration.js';

/** Stored product profiles: the seeded ATP ones (read-only) and planners' own. */
export const PROFILES_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'product profiles',
    up: `
      CREATE TABLE profiles (
        id TEXT PRIMARY KEY, body TEXT NOT NULL, seeded INTEGER NOT NULL,
        created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
    `,
  },
];
