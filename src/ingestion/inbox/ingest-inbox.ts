import { BeforeApplicationShutdown, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { Statement } from 'better-sqlite3';
import { Clock } from '#src/common/clock.js';
import { Metrics } from '#src/common/metrics.js';
import { SqliteDatabase } from '#src/storage/sqlite-database.js';
import { INGEST_INBOX_MIGRATIONS } from './ingest-inbox.migrations.js';

/** One acknowledged message waiting for the pipeline. */
export interface InboxMessage {
  id: number;
  topic: string;
  payload: Buffer;
  receivedAt: number;
}

/** Longest a message waits for its group commit, ms (the PUBACK waits with it). */
const COMMIT_EVERY_MS = 2;
/** Messages per group commit at most. */
const COMMIT_MAX = 2000;
/** Unprocessed messages above which new PUBACKs are held back (QoS 1 flow control). */
const HIGH_WATER = 50_000;

type Drain = (messages: readonly InboxMessage[]) => void;

interface Appended {
  topic: string;
  payload: Buffer;
  receivedAt: number;
  onDurable: () => void;
}

/**
 * Write-ahead inbox of the embedded broker (issue: nothing acknowledged is lost). The broker's
 * publish hook appends each device message and holds its PUBACK until the message is committed
 * to SQLite; commits are grouped (every {@link COMMIT_EVERY_MS} ms or {@link COMMIT_MAX}
 * messages) so durability costs one transaction per group, not per message. Committed messages
 * go to the drain (the in-process transport); the drain calls {@link complete} once what they
 * carried is stored, and only then are they deleted. At start, whatever a crash left here is
 * drained again: storage and rules are idempotent, so a replay duplicates nothing downstream.
 */
@Injectable()
export class IngestInbox implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger(IngestInbox.name);
  private appended: Appended[] = [];
  private held: (() => void)[] = [];
  private commitTimer?: NodeJS.Timeout;
  private drain?: Drain;
  private backlog: InboxMessage[] = [];
  private unprocessed = 0;
  private insert!: Statement<[string, Buffer, number]>;
  private readonly depth;
  private readonly heldBack;

  constructor(
    private readonly sqlite: SqliteDatabase,
    private readonly clock: Clock,
    metrics: Metrics,
  ) {
    this.depth = metrics.gauge(
      'convoi_ingest_inbox_depth',
      'Acknowledged messages not yet stored by the pipeline',
    );
    this.heldBack = metrics.counter(
      'convoi_ingest_inbox_held_acks_total',
      'PUBACKs held back because the pipeline is behind (flow control)',
    );
  }

  onModuleInit(): void {
    this.sqlite.migrate('ingest-inbox', INGEST_INBOX_MIGRATIONS);
    this.insert = this.sqlite.connection.prepare(
      'INSERT INTO ingest_inbox (topic, payload, received_at) VALUES (?, ?, ?)',
    );
  }

  /** Registers the consumer and hands it what a previous run left unprocessed. */
  attach(drain: Drain): void {
    this.drain = drain;
    const left = this.sqlite.connection
      .prepare<[], { id: number; topic: string; payload: Buffer; received_at: number }>(
        'SELECT * FROM ingest_inbox ORDER BY id',
      )
      .all()
      .map((r) => ({ id: r.id, topic: r.topic, payload: r.payload, receivedAt: r.received_at }));
    if (left.length > 0)
      this.logger.warn(`Replaying ${left.length} acknowledged messages left by the last run`);
    this.deliver(left);
    const queued = this.backlog;
    this.backlog = [];
    if (queued.length > 0) drain(queued);
  }

  detach(): void {
    this.drain = undefined;
  }

  /**
   * Appends a message; `onDurable` runs once it is committed (the caller then acknowledges it).
   * When the pipeline is far behind, the acknowledgement is held until it catches up.
   */
  append(topic: string, payload: Buffer, onDurable: () => void): void {
    this.appended.push({ topic, payload, receivedAt: this.clock.now(), onDurable });
    if (this.appended.length >= COMMIT_MAX) this.commit();
    else this.commitTimer ??= setTimeout(() => this.commit(), COMMIT_EVERY_MS);
  }

  /** Messages up to `lastId` are stored downstream: forget them. */
  complete(lastId: number, count: number): void {
    this.sqlite.connection.prepare('DELETE FROM ingest_inbox WHERE id <= ?').run(lastId);
    this.unprocessed -= count;
    this.depth.set(this.unprocessed);
    if (this.unprocessed < HIGH_WATER && this.held.length > 0) {
      const release = this.held;
      this.held = [];
      for (const ack of release) ack();
    }
  }

  beforeApplicationShutdown(): void {
    this.commit();
    for (const ack of this.held) ack();
    this.held = [];
  }

  private commit(): void {
    clearTimeout(this.commitTimer);
    this.commitTimer = undefined;
    if (this.appended.length === 0 || !this.sqlite.connection.open) return;
    const batch = this.appended;
    this.appended = [];
    const messages: InboxMessage[] = new Array<InboxMessage>(batch.length);
    this.sqlite.connection.transaction(() => {
      for (let i = 0; i < batch.length; i++) {
        const a = batch[i];
        const id = Number(this.insert.run(a.topic, a.payload, a.receivedAt).lastInsertRowid);
        messages[i] = { id, topic: a.topic, payload: a.payload, receivedAt: a.receivedAt };
      }
    })();
    const behind = this.unprocessed >= HIGH_WATER;
    for (const a of batch) {
      if (behind) this.held.push(a.onDurable);
      else a.onDurable();
    }
    if (behind) this.heldBack.inc(batch.length);
    this.deliver(messages);
  }

  private deliver(messages: InboxMessage[]): void {
    if (messages.length === 0) return;
    this.unprocessed += messages.length;
    this.depth.set(this.unprocessed);
    if (this.drain) this.drain(messages);
    else for (const m of messages) this.backlog.push(m);
  }
}
