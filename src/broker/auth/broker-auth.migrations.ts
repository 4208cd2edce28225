import type { StoreMigration } from '#src/storage/store-migration.js';

/** Migration scope of the broker's credential tables. */
export const BROKER_AUTH_SCOPE = 'broker-auth';

/** PostgreSQL channel on which every change of a credential row is announced (credential-changes.ts). */
export const CREDENTIAL_CHANNEL = 'convoi_credentials';

export const BROKER_AUTH_MIGRATIONS: readonly StoreMigration[] = [
  {
    version: 1,
    description: 'device and integration MQTT credentials (scrypt hashes only)',
    up: {
      // Released as it is (SQLite files already carry version 1): never edit, add a migration.
      sqlite: `
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
      // Every node caches verified credentials and ends the sessions of revoked ones: each insert
      // or update is announced to all of them, in the writing transaction (sent at its commit).
      postgres: `
      CREATE TABLE device_credentials (
        device_id   TEXT COLLATE "C" PRIMARY KEY,
        secret_hash TEXT NOT NULL,
        created_at  BIGINT NOT NULL,
        rotated_at  BIGINT,
        revoked_at  BIGINT
      );
      CREATE TABLE integration_credentials (
        name        TEXT COLLATE "C" PRIMARY KEY,
        secret_hash TEXT NOT NULL,
        kind        TEXT NOT NULL CHECK (kind IN ('chirpstack', 'tts', 'operator', 'platform')),
        topic_root  TEXT NOT NULL DEFAULT '',
        created_at  BIGINT NOT NULL,
        rotated_at  BIGINT,
        revoked_at  BIGINT
      );
      CREATE FUNCTION announce_credential_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('${CREDENTIAL_CHANNEL}', json_build_object(
          'username', to_jsonb(NEW) ->> TG_ARGV[0],
          'change', CASE
            WHEN TG_OP = 'UPDATE' AND NEW.revoked_at IS NOT NULL AND OLD.revoked_at IS NULL THEN 'revoked'
            WHEN TG_OP = 'UPDATE' AND NEW.rotated_at IS DISTINCT FROM OLD.rotated_at THEN 'rotated'
            ELSE 'written' END)::text);
        RETURN NULL;
      END $$;
      CREATE TRIGGER device_credentials_announce AFTER INSERT OR UPDATE ON device_credentials
        FOR EACH ROW EXECUTE FUNCTION announce_credential_change('device_id');
      CREATE TRIGGER integration_credentials_announce AFTER INSERT OR UPDATE ON integration_credentials
        FOR EACH ROW EXECUTE FUNCTION announce_credential_change('name');`,
    },
  },
];
