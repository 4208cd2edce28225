import type { Migration } from '#src/storage/migration.js';

/** The tables of the containers' state (scope `state`). */
export const STATE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'container state: paged numbers per partition, rule and journey state per container',
    // Pages: a partition's numbers (live values, radio links), dedupe windows and ids, one row a
    // page of 128 containers. Rows: what is not numbers, JSON. Both carry the partition, so that a
    // takeover reads only its own. `state_meta` holds the partition count they were written with.
    // The earlier tables (container_state_pages, container_state, rule_state, journey_state)
    // are read once at the next start and emptied (container-states.legacy.ts).
    up: `
      CREATE TABLE state_pages (
        partition INTEGER NOT NULL, page INTEGER NOT NULL, numbers BLOB NOT NULL, present BLOB NOT NULL,
        dedupe BLOB, ids TEXT NOT NULL, updated_at INTEGER NOT NULL, PRIMARY KEY (partition, page)) WITHOUT ROWID;
      CREATE TABLE container_states (
        container_id TEXT PRIMARY KEY, partition INTEGER NOT NULL, rules TEXT, journey TEXT,
        updated_at INTEGER NOT NULL);
      CREATE INDEX container_states_partition ON container_states(partition);
      CREATE TABLE state_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
    `,
  },
];
