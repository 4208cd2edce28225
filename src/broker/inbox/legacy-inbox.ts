import type { Database } from 'better-sqlite3';
import { IngestJournal } from './ingest-journal.js';

/**
 * Moves what an older convoi acknowledged but did not process, left in convoi.sqlite's
 * `ingest_inbox`, into the inbox's own file before the broker starts, so it is replayed like any
 * leftover. Copied first, deleted after: a crash in between replays twice, which storage and
 * rules absorb (idempotent), rather than never.
 */
export function moveLegacyInbox(main: Database, dataDir: string): number {
  const exists = main
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'ingest_inbox'")
    .get();
  if (exists === undefined) return 0;
  const rows = main
    .prepare<[], { topic: string; payload: Buffer; received_at: number }>(
      'SELECT topic, payload, received_at FROM ingest_inbox ORDER BY id',
    )
    .all();
  if (rows.length === 0) return 0;
  const journal = new IngestJournal(dataDir, {
    committed: () => undefined,
    heldBack: () => undefined,
    depth: () => undefined,
  });
  try {
    journal.adopt(rows.map((r) => ({ topic: r.topic, payload: r.payload, receivedAt: r.received_at })));
  } finally {
    journal.close();
  }
  main.prepare('DELETE FROM ingest_inbox').run();
  return rows.length;
}
