import type { Migration } from '#src/storage/migration.js';

export const API_KEYS_SCOPE = 'auth';

/** API keys: SHA-256 digests only (see api-key.secret.ts), never the key. */
export const API_KEY_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'api keys',
    up: `
      CREATE TABLE api_keys (
        id TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL,
        key_hash TEXT NOT NULL UNIQUE, hint TEXT NOT NULL,
        created_at INTEGER NOT NULL, created_by TEXT NOT NULL, revoked_at INTEGER);
    `,
  },
];
