import type { Migration } from '#src/storage/migration.js';

/** Migration scope of the broker's credential tables. */
export const BROKER_AUTH_SCOPE = 'broker-auth';

export const BROKER_AUTH_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'device and integration MQTT credentials (scrypt hashes only)',
    up: `
      CREATE TABLE device_credentials (
        device_id   TEXT PRIMARY KEY,
        secret_hash TEXT NOT NULL,
        created_at  INTEGER NOT NULL,
        rotated_at  INTEGER,
        revoked_at  INTEGER
      );
      CREATE TABLE integration_credentials (
        name        TEXT PRIMARY KEY,
        secret_hash TEXT NOT NULL,
        kind        TEXT NOT NULL CHECK (kind IN ('chirpstack', 'tts', 'operator', 'platform')),
        topic_root  TEXT NOT NULL DEFAULT '',
        created_at  INTEGER NOT NULL,
        rotated_at  INTEGER,
        revoked_at  INTEGER
      );`,
  },
];
