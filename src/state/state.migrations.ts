import type { StoreMigration } from '#src/storage/store-migration.js';

/** The scope of the state tables' migrations (`schema_migrations`). */
export const STATE_SCOPE = 'state';

/** The tables of the containers' state (scope `state`), in the SQLite file or in PostgreSQL. */
export const STATE_MIGRATIONS: readonly StoreMigration[] = [
  {
    version: 1,
    description: 'container state: paged numbers per partition, rule and journey state per container',
    // Pages: a partition's numbers (live values, radio links), dedupe windows and ids, one row a
    // page of 128 containers. Rows: what is not numbers, JSON. Both carry the partition, so that a
    // takeover reads only its own. `state_meta` holds the partition count they were written with.
    // The earlier tables (container_state_pages, container_state, rule_state, journey_state)
    // are read once at the next start and emptied (container-states.legacy.ts). PostgreSQL never
    // held those, and holds no `state_meta`: its partition count is the checkpoint's
    // (`partition_count`, which refuses another at start), so nothing there is renumbered.
    // JSON stays TEXT there: stored and read back as the same string, never queried inside.
    up: {
      sqlite: `
        CREATE TABLE state_pages (
          partition INTEGER NOT NULL, page INTEGER NOT NULL, numbers BLOB NOT NULL, present BLOB NOT NULL,
          dedupe BLOB, ids TEXT NOT NULL, updated_at INTEGER NOT NULL, PRIMARY KEY (partition, page)) WITHOUT ROWID;
        CREATE TABLE container_states (
          container_id TEXT PRIMARY KEY, partition INTEGER NOT NULL, rules TEXT, journey TEXT,
          updated_at INTEGER NOT NULL);
        CREATE INDEX container_states_partition ON container_states(partition);
        CREATE TABLE state_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
      `,
      postgres: `
        CREATE TABLE state_pages (
          partition INTEGER NOT NULL, page INTEGER NOT NULL, numbers BYTEA NOT NULL, present BYTEA NOT NULL,
          dedupe BYTEA, ids TEXT NOT NULL, updated_at BIGINT NOT NULL, PRIMARY KEY (partition, page));
        CREATE TABLE container_states (
          container_id TEXT PRIMARY KEY, partition INTEGER NOT NULL, rules TEXT, journey TEXT,
          updated_at BIGINT NOT NULL);
        CREATE INDEX container_states_partition ON container_states(partition);
      `,
    },
  },
  {
    version: 2,
    description: 'state pages compressed with lz4 (PostgreSQL)',
    up: {
      // SQLite stores its blobs as they are.
      sqlite: `SELECT 1;`,
      // Every checkpoint rewrites each changed page (~40 KB of numbers, TOASTed): lz4 costs the
      // server about a third of the CPU of the default pglz (docs/PERFORMANCE.md). A server
      // built without lz4 keeps pglz. Rows already stored are recompressed at their next write.
      postgres: `
        DO $$ BEGIN
          IF EXISTS (SELECT 1 FROM pg_settings
                     WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)) THEN
            ALTER TABLE state_pages ALTER COLUMN numbers SET COMPRESSION lz4,
              ALTER COLUMN dedupe SET COMPRESSION lz4, ALTER COLUMN ids SET COMPRESSION lz4;
          END IF;
        END $$;
      `,
    },
  },
];
