import BetterSqlite3, { type Database } from 'better-sqlite3';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { IngestJournal, type InboxMessage } from './ingest-journal.js';

/** The SQLite file the inbox had before its segment log (versions up to 0.3). */
const LEGACY_INBOX_FILE = 'inbox.sqlite';

/**
 * Moves what older versions acknowledged but did not process into the segment log before the
 * broker starts, so it is replayed like any leftover: first what the oldest kept in
 * convoi.sqlite's `ingest_inbox`, then the `inbox.sqlite` file of the next. Copied first, deleted
 * after: a crash in between replays twice, which storage and rules absorb (idempotent), rather
 * than never.
 */
export function moveLegacyInbox(main: Database, dataDir: string): number {
  const fromMain = inboxRowsOf(main);
  const file = join(dataDir, LEGACY_INBOX_FILE);
  const inboxFile = existsSync(file) ? new BetterSqlite3(file) : undefined;
  let messages = fromMain;
  try {
    if (inboxFile !== undefined) messages = [...fromMain, ...inboxRowsOf(inboxFile)];
    if (messages.length > 0) adopt(dataDir, messages);
  } finally {
    inboxFile?.close();
  }
  if (fromMain.length > 0) main.prepare('DELETE FROM ingest_inbox').run();
  if (inboxFile !== undefined)
    for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
  return messages.length;
}

function inboxRowsOf(db: Database): Omit<InboxMessage, 'id'>[] {
  const exists = db
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'ingest_inbox'")
    .get();
  if (exists === undefined) return [];
  return db
    .prepare<[], { topic: string; payload: Buffer; received_at: number }>(
      'SELECT topic, payload, received_at FROM ingest_inbox ORDER BY id',
    )
    .all()
    .map((r) => ({ topic: r.topic, payload: r.payload, receivedAt: r.received_at }));
}

function adopt(dataDir: string, messages: Omit<InboxMessage, 'id'>[]): void {
  const journal = new IngestJournal(dataDir, {
    committed: () => undefined,
    heldBack: () => undefined,
    depth: () => undefined,
    failed: (_count, error) => {
      throw error;
    },
  });
  try {
    journal.adopt(messages);
  } finally {
    journal.close();
  }
}
