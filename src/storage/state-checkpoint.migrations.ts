import type { Migration } from './migration.js';

/** The log position the stored in-memory state reflects (state-checkpoint.ts). */
export const STATE_CHECKPOINT_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'checkpointed position per input log',
    up: `
      CREATE TABLE state_checkpoint (
        log TEXT NOT NULL PRIMARY KEY, position INTEGER NOT NULL, written_at INTEGER NOT NULL
      ) WITHOUT ROWID;
    `,
  },
];
