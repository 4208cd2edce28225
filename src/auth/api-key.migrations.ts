import type { StoreMigration } from '#src/storage/store-migration.js';

export const API_KEYS_SCOPE = 'auth';

/**
 * API keys: SHA-256 digests only (see api-key.secret.ts), never the key. Version 1 is the SQLite
 * table as released; PostgreSQL gets the same columns (epoch ms as BIGINT;
 * ids in byte order, as SQLite compares them, so the keyset pages are the same on both).
 */
export const API_KEY_MIGRATIONS: readonly StoreMigration[] = [
  {
    version: 1,
    description: 'api keys',
    up: {
      sqlite: `
        CREATE TABLE api_keys (
          id TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL,
          key_hash TEXT NOT NULL UNIQUE, hint TEXT NOT NULL,
          created_at INTEGER NOT NULL, created_by TEXT NOT NULL, revoked_at INTEGER);
      `,
      postgres: `
        CREATE TABLE api_keys (
          id TEXT COLLATE "C" PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL,
          key_hash TEXT NOT NULL UNIQUE, hint TEXT NOT NULL,
          created_at BIGINT NOT NULL, created_by TEXT NOT NULL, revoked_at BIGINT);
      `,
    },
  },
];
