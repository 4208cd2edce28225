import type { Migration } from '#src/storage/migration.js';

/**
 * The write-ahead inbox: every device message the embedded broker acknowledges is here first,
 * until the pipeline has stored what it carried.
 */
export const INGEST_INBOX_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'write-ahead inbox of acknowledged device messages',
    up: `
      CREATE TABLE ingest_inbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT, topic TEXT NOT NULL, payload BLOB NOT NULL,
        received_at INTEGER NOT NULL);
    `,
  },
];
