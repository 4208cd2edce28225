import { BeforeApplicationShutdown, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { Statement } from 'better-sqlite3';
import type { AlertEvent } from '#src/contracts/alert-event.js';
import type { Reading } from '#src/contracts/reading.js';
import { EmbeddedTelemetryConfig } from '../telemetry.config.js';
import { Metrics } from '#src/common/metrics.js';
import { TelemetryWriter } from '../telemetry.ports.js';
import { ReadingRowsBuilder, type ReadingRows } from './reading-row.js';
import { ReadingRowsWriter } from './reading-rows.writer.js';
import { TelemetryDatabase } from './telemetry-database.js';
import { TelemetryStoreThread } from './thread/telemetry-store.thread.js';
import { BatchSequence, telemetryWriteMetrics } from '../batch-sequence.js';

/** Pause before retrying a batch SQLite refused on the main connection. */
const RETRY_AFTER_FAILURE_MS = 1000;

/** A batch of rows handed to the store, kept until it is stored. */
interface Batch {
  seq: number;
  rows: ReadingRows;
}

/**
 * Writes readings to the embedded store in batches: sent when the batch is full or
 * TELEMETRY_FLUSH_MS after its first reading, on `flush`, and at shutdown. The inserts run on a
 * thread of their own with its own connection (at 15,000 readings/s they were a fifth of the main
 * thread); a batch is kept here until that thread confirms it, and if the thread dies the
 * batches it did not confirm, and all later ones, are written on the main connection instead.
 *
 * One batch is in flight at a time: what is written meanwhile goes in one batch as soon as the
 * thread confirms the one before. A transaction, a message each way and the wake-ups of both
 * threads cost about the same whatever a batch carries, so under load batches grow instead of
 * queueing behind each other; when the thread keeps up, nothing waits.
 */
@Injectable()
export class EmbeddedTelemetryWriter
  extends TelemetryWriter
  implements OnModuleInit, BeforeApplicationShutdown
{
  private readonly logger = new Logger(EmbeddedTelemetryWriter.name);
  private readonly pending = new ReadingRowsBuilder();
  /** Sent, not confirmed yet, oldest first. */
  private readonly unconfirmed: Batch[] = [];
  private readonly batches = new BatchSequence();
  private timer?: NodeJS.Timeout;
  private soon?: NodeJS.Immediate;
  private retry?: NodeJS.Timeout;
  private failing = false;
  /** Rows wait for the batch in flight to be confirmed (see the class comment). */
  private sendOnConfirm = false;
  /** Why the last batch failed, while writes fail (for the readiness probe). */
  private failure?: string;
  private closing = false;
  private thread?: TelemetryStoreThread;
  private inline?: ReadingRowsWriter;
  private insertAlert!: Statement;
  private readonly measured: ReturnType<typeof telemetryWriteMetrics>;

  constructor(
    private readonly sqlite: TelemetryDatabase,
    private readonly config: EmbeddedTelemetryConfig,
    metrics: Metrics,
  ) {
    super();
    this.measured = telemetryWriteMetrics(metrics);
  }

  onModuleInit(): void {
    this.insertAlert = this.sqlite.connection.prepare(
      'INSERT OR REPLACE INTO alert_events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.thread = new TelemetryStoreThread(
      { file: this.sqlite.file },
      {
        stored: (seq, rows, seconds) => this.stored(seq, rows, seconds),
        failed: (seq, error) => this.failed(seq, error),
        gone: (why) => this.threadGone(why),
      },
    );
  }

  write(readings: readonly Reading[]): void {
    for (const r of readings) this.pending.add(r);
    // Never sent here: `write` runs inside the ingestion slice, which has its own time budget.
    if (this.pending.rows >= this.config.TELEMETRY_BATCH_SIZE) this.sendSoon();
    else this.timer ??= setTimeout(() => this.sendSoon(), this.config.TELEMETRY_FLUSH_MS);
  }

  writeAlert(event: AlertEvent): void {
    this.insertAlert.run(
      event.containerId,
      event.at,
      event.alertId,
      event.change,
      event.rule,
      event.severity,
      event.status,
      event.value ?? null,
      event.message,
    );
  }

  flush(): Promise<void> {
    this.send();
    // Rows held back behind the batch in flight go in the next one.
    return this.batches.storedUpTo(this.batches.lastSent + (this.pending.rows > 0 ? 1 : 0));
  }

  /**
   * Not ready while SQLite refuses the readings (disk full, read-only): they wait in memory.
   * `/health` keeps its own answer (always up here), for the clients that read it.
   */
  override readiness(): { status: 'up' | 'down'; detail?: string } {
    return this.failure === undefined
      ? { status: 'up' }
      : { status: 'down', detail: `writes failing: ${this.failure}` };
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearTimeout(this.timer);
    clearImmediate(this.soon);
    this.timer = undefined;
    this.soon = undefined;
    this.send(true);
    // The thread stores what it was sent before it stops; what it did not is written here.
    this.closing = true;
    await this.thread?.close();
    this.thread = undefined;
    clearTimeout(this.retry);
    this.writeUnconfirmed();
  }

  private sendSoon(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.soon ??= setImmediate(() => {
      this.soon = undefined;
      this.send();
    });
  }

  /**
   * Sends what is pending, unless a batch is in flight (then once it is confirmed); a full batch
   * goes at once, so that what waits here stays within TELEMETRY_BATCH_SIZE.
   */
  private send(now = false): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.rows === 0) return;
    const wait = !now && this.pending.rows < this.config.TELEMETRY_BATCH_SIZE;
    if (wait && this.thread?.alive && this.unconfirmed.length > 0) {
      this.sendOnConfirm = true;
      return;
    }
    this.sendOnConfirm = false;
    const batch: Batch = { seq: this.batches.next(), rows: this.pending.take() };
    this.unconfirmed.push(batch);
    if (this.thread?.alive) this.thread.send(batch.seq, batch.rows);
    else if (this.retry === undefined) this.writeUnconfirmed();
  }

  private stored(seq: number, rows: number, transactionSeconds: readonly number[]): void {
    while (this.unconfirmed.length > 0 && this.unconfirmed[0].seq <= seq) this.unconfirmed.shift();
    this.confirm(seq, rows, transactionSeconds);
    if (this.sendOnConfirm && this.unconfirmed.length === 0) this.send();
  }

  private confirm(seq: number, rows: number, transactionSeconds: readonly number[]): void {
    if (this.failing) this.logger.log('Readings are stored again');
    this.failing = false;
    this.failure = undefined;
    this.measured.written.inc(rows);
    for (const s of transactionSeconds) this.measured.batchSeconds.observe(s);
    this.batches.confirm(seq);
  }

  private failed(seq: number, error: string): void {
    // SQLite failing (disk full, read-only) is not recoverable here: the batch is kept and
    // retried; say so once per outage, loudly.
    if (!this.failing)
      this.logger.error({ batch: seq, reason: error }, 'Writing readings failed, will retry');
    this.failing = true;
    this.failure = error;
  }

  private threadGone(why: string): void {
    if (this.closing) return;
    this.logger.error(`Telemetry store thread ${why}: readings are written on the main thread`);
    this.thread = undefined;
    if (!this.sqlite.connection.open) return;
    this.writeUnconfirmed();
    // Rows held back behind a batch the thread never confirmed.
    if (this.sendOnConfirm) this.send();
  }

  /** Writes the unconfirmed batches on the main connection, oldest first; retries on failure. */
  private writeUnconfirmed(): void {
    this.retry = undefined;
    if (this.unconfirmed.length === 0 || !this.sqlite.connection.open) return;
    this.inline ??= new ReadingRowsWriter(this.sqlite.connection);
    while (this.unconfirmed.length > 0) {
      const batch = this.unconfirmed[0];
      try {
        const seconds = this.inline.write(batch.rows);
        this.unconfirmed.shift();
        this.confirm(batch.seq, batch.rows.rows, seconds);
      } catch (err) {
        this.failed(batch.seq, String(err));
        this.retry = setTimeout(() => this.writeUnconfirmed(), RETRY_AFTER_FAILURE_MS);
        return;
      }
    }
  }
}
