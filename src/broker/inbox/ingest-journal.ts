import BetterSqlite3, { type Database, type Statement } from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** One acknowledged message waiting for the pipeline. */
export interface InboxMessage {
  id: number;
  topic: string;
  payload: Buffer;
  receivedAt: number;
}

/** The inbox's own SQLite file in DATA_DIR (apart from convoi.sqlite: see the class comment). */
export const INBOX_FILE = 'inbox.sqlite';

/** Longest a message waits for its group commit, ms (the PUBACK waits with it). */
const COMMIT_EVERY_MS = 2;
/** Messages per group commit at most. */
const COMMIT_MAX = 2000;
/** Unprocessed messages above which new PUBACKs are held back (QoS 1 flow control), by default. */
const HIGH_WATER = 50_000;

interface Appended {
  topic: string;
  payload: Buffer;
  receivedAt: number;
  onDurable: () => void;
}

export interface IngestJournalEvents {
  /** Messages just committed (or left by the last run, at open), in id order. */
  committed(messages: InboxMessage[]): void;
  /** PUBACKs held back because the pipeline is behind. */
  heldBack(count: number): void;
  /** Acknowledged messages the pipeline has not stored yet. */
  depth(unprocessed: number): void;
}

/**
 * Write-ahead inbox of the embedded broker (nothing acknowledged is lost). The broker's publish
 * hook appends each device message and holds its PUBACK until the message is committed; commits
 * are grouped (every {@link COMMIT_EVERY_MS} ms or {@link COMMIT_MAX} messages) so durability
 * costs one transaction per group, not per message. Committed messages go to `committed` (the
 * pipeline); it calls {@link complete} once what they carried is stored, and only then are they
 * deleted. When the pipeline is {@link HIGH_WATER} messages behind, PUBACKs wait until it catches
 * up: devices see QoS 1 back-pressure instead of the inbox growing without bound.
 *
 * The journal lives in its own SQLite file and connection, owned by whichever thread runs the
 * broker: the pipeline's large write transactions on convoi.sqlite never make the broker wait for
 * the database lock, and the broker never makes them wait.
 */
export class IngestJournal {
  private readonly db: Database;
  private readonly insert: Statement<[string, Buffer, number]>;
  private readonly remove: Statement<[number]>;
  private appended: Appended[] = [];
  private held: (() => void)[] = [];
  private commitTimer?: NodeJS.Timeout;
  private unprocessed = 0;

  private readonly highWater: number;

  constructor(
    dataDir: string,
    private readonly events: IngestJournalEvents,
    options: { highWater?: number } = {},
  ) {
    this.highWater = options.highWater ?? HIGH_WATER;
    mkdirSync(dataDir, { recursive: true });
    this.db = new BetterSqlite3(join(dataDir, INBOX_FILE));
    // WAL + NORMAL: durable across a process crash (what a PUBACK promises here); only an OS
    // crash can lose the last commits.
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(
      `CREATE TABLE IF NOT EXISTS ingest_inbox (
         id INTEGER PRIMARY KEY AUTOINCREMENT, topic TEXT NOT NULL, payload BLOB NOT NULL,
         received_at INTEGER NOT NULL)`,
    );
    this.insert = this.db.prepare('INSERT INTO ingest_inbox (topic, payload, received_at) VALUES (?, ?, ?)');
    this.remove = this.db.prepare('DELETE FROM ingest_inbox WHERE id <= ?');
  }

  /** Hands the pipeline whatever a previous run acknowledged and left unprocessed. */
  replayLeftovers(): number {
    const left = this.db
      .prepare<[], { id: number; topic: string; payload: Buffer; received_at: number }>(
        'SELECT id, topic, payload, received_at FROM ingest_inbox ORDER BY id',
      )
      .all()
      .map((r) => ({ id: r.id, topic: r.topic, payload: r.payload, receivedAt: r.received_at }));
    this.deliver(left);
    return left.length;
  }

  /** Takes over messages another store acknowledged (an older version's inbox), in order. */
  adopt(messages: readonly { topic: string; payload: Buffer; receivedAt: number }[]): void {
    this.db.transaction(() => {
      for (const m of messages) this.insert.run(m.topic, m.payload, m.receivedAt);
    })();
  }

  /**
   * Appends a message; `onDurable` runs once it is committed (the caller then acknowledges it).
   * When the pipeline is far behind, the acknowledgement is held until it catches up.
   */
  append(topic: string, payload: Buffer, onDurable: () => void): void {
    this.appended.push({ topic, payload, receivedAt: Date.now(), onDurable });
    if (this.appended.length >= COMMIT_MAX) this.commit();
    else this.commitTimer ??= setTimeout(() => this.commit(), COMMIT_EVERY_MS);
  }

  /** Messages up to `lastId` are stored downstream: forget them, release held PUBACKs. */
  complete(lastId: number, count: number): void {
    if (!this.db.open) return;
    this.remove.run(lastId);
    this.unprocessed = Math.max(0, this.unprocessed - count);
    this.events.depth(this.unprocessed);
    if (this.unprocessed < this.highWater && this.held.length > 0) this.releaseHeld();
  }

  /** Commits what is pending, acknowledges what was held, closes the file. */
  close(): void {
    this.commit();
    this.releaseHeld();
    if (this.db.open) this.db.close();
  }

  private releaseHeld(): void {
    const release = this.held;
    this.held = [];
    for (const ack of release) ack();
  }

  private commit(): void {
    clearTimeout(this.commitTimer);
    this.commitTimer = undefined;
    if (this.appended.length === 0 || !this.db.open) return;
    const batch = this.appended;
    this.appended = [];
    const messages: InboxMessage[] = new Array<InboxMessage>(batch.length);
    this.db.transaction(() => {
      for (let i = 0; i < batch.length; i++) {
        const a = batch[i];
        const id = Number(this.insert.run(a.topic, a.payload, a.receivedAt).lastInsertRowid);
        messages[i] = { id, topic: a.topic, payload: a.payload, receivedAt: a.receivedAt };
      }
    })();
    const behind = this.unprocessed >= this.highWater;
    for (const a of batch) {
      if (behind) this.held.push(a.onDurable);
      else a.onDurable();
    }
    if (behind) this.events.heldBack(batch.length);
    this.deliver(messages);
  }

  private deliver(messages: InboxMessage[]): void {
    if (messages.length === 0) return;
    this.unprocessed += messages.length;
    this.events.depth(this.unprocessed);
    this.events.committed(messages);
  }
}
