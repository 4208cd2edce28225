import type { StoreMigration } from './store-migration.js';

/** The scope of the checkpoint tables' migrations (`schema_migrations`). */
export const STATE_CHECKPOINT_SCOPE = 'checkpoint';

/**
 * The log positions the stored in-memory state reflects (state-checkpoint.ts), in the SQLite
 * file, or in PostgreSQL with the state's tables when `DATABASE_URL` is set.
 */
export const STATE_CHECKPOINT_MIGRATIONS: readonly StoreMigration[] = [
  {
    version: 1,
    description: 'checkpointed position per input log',
    up: {
      sqlite: `
        CREATE TABLE state_checkpoint (
          log TEXT NOT NULL PRIMARY KEY, position INTEGER NOT NULL, written_at INTEGER NOT NULL
        ) WITHOUT ROWID;
      `,
      postgres: `
        CREATE TABLE state_checkpoint (
          log TEXT NOT NULL PRIMARY KEY, position BIGINT NOT NULL, written_at BIGINT NOT NULL);
      `,
    },
  },
  {
    // state_checkpoint keeps its meaning (everything of the log up to the position is applied),
    // so the one row an older version wrote still holds: every partition is at least there.
    version: 2,
    description: 'checkpointed position per partition, and the partition count of the data',
    up: {
      sqlite: `
        CREATE TABLE partition_checkpoint (
          log TEXT NOT NULL, partition INTEGER NOT NULL, position INTEGER NOT NULL,
          written_at INTEGER NOT NULL, PRIMARY KEY (log, partition)
        ) WITHOUT ROWID;
        CREATE TABLE partition_count (
          id INTEGER NOT NULL PRIMARY KEY CHECK (id = 1), partitions INTEGER NOT NULL,
          recorded_at INTEGER NOT NULL
        );
      `,
      postgres: `
        CREATE TABLE partition_checkpoint (
          log TEXT NOT NULL, partition INTEGER NOT NULL, position BIGINT NOT NULL,
          written_at BIGINT NOT NULL, PRIMARY KEY (log, partition));
        CREATE TABLE partition_count (
          id INTEGER NOT NULL PRIMARY KEY CHECK (id = 1), partitions INTEGER NOT NULL,
          recorded_at BIGINT NOT NULL);
      `,
    },
  },
  {
    // Cluster mode's fence (partition-fence.ts): a processor that takes a partition's lock bumps
    // its epoch and writes the partition's state and positions only while the row still holds
    // its epoch. One node on SQLite owns every partition and fences nothing.
    version: 3,
    description: 'fencing epoch per partition (cluster mode)',
    up: {
      sqlite: `SELECT 1;`,
      postgres: `
        CREATE TABLE partition_epochs (partition INTEGER NOT NULL PRIMARY KEY, epoch INTEGER NOT NULL);
      `,
    },
  },
];
