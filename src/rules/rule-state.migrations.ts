import type { Migration } from '#src/storage/migration.js';

/** Rule state that must survive restarts (excursion starts, counters, bursts). */
export const RULE_STATE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'rule state per container and rule',
    up: `
      CREATE TABLE rule_state (
        container_id TEXT NOT NULL, rule_id TEXT NOT NULL, state TEXT NOT NULL, updated_at INTEGER NOT NULL,
        PRIMARY KEY (container_id, rule_id)) WITHOUT ROWID;
    `,
  },
];
