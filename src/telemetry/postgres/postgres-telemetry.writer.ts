import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import type { AlertEvent } from '#src/contracts/alert-event.js';
import type { Reading } from '#src/contracts/reading.js';
import { Metrics } from '#src/common/metrics.js';
import { OperationalDatabase } from '#src/storage/operational-database.js';
import { TelemetryWriter } from '../telemetry.ports.js';
import { PostgresReadingPartitions, dayOf } from './postgres-reading-partitions.js';
import { insertAlertEvents } from './postgres-readings.sql.js';
import { PostgresReadingsSession } from './postgres-readings.session.js';
import { PostgresTelemetryConfig } from './postgres-telemetry.config.js';
import { appendReading, emptyColumns, type ReadingColumns } from './reading-columns.js';
import { BatchSequence, telemetryWriteMetrics } from '../batch-sequence.js';

/** Pause before retrying what PostgreSQL refused or could not be reached for. */
export const RETRY_AFTER_FAILURE_MS = 1000;

/** Most readings in one INSERT when batches queued up behind a slow one (20 arrays of this length). */
const MAX_ROWS_PER_INSERT = 20_000;

/**
 * Least time between the starts of two statements, ms. The ingestion inbox flushes after every
 * group commit of the broker (~2 ms: 20 readings at 10,000/s), and a statement sent for each
 * cost PostgreSQL ~270 µs and convoi ~230 µs of CPU on top of its rows (a commit, a WAL flush,
 * the plan of a 20-array unnest): 20.8 µs per reading in PostgreSQL against 8.6 with 200-reading
 * statements (PERFORMANCE.md, "What PostgreSQL costs per reading"). Readings flushed meanwhile
 * go in the next statement; a reading waits at most this much longer to be stored. Prepared, a
 * statement still costs ~110 µs of PostgreSQL's CPU and ~185 µs of convoi's besides its rows: half
 * this gap would add ~3 µs per reading at 10,000/s ("Issue 23's ingestion target on PostgreSQL").
 */
export const MIN_STATEMENT_GAP_MS = 10;

/** Longest wait at shutdown for PostgreSQL to take what is still queued. */
const SHUTDOWN_WAIT_MS = 10_000;

/** Readings and alert events handed over together, kept until PostgreSQL stored them. */
interface Batch {
  seq: number;
  readings: ReadingColumns;
  alerts: AlertEvent[];
}

/**
 * Writes readings to PostgreSQL's `readings` table: `write` only queues (no database wait per
 * reading); a batch leaves when it is full or TELEMETRY_FLUSH_MS after its first reading, as
 * one INSERT (postgres-readings.sql.ts) on the writer's own connection (postgres-readings.session.ts),
 * one statement in flight at a time. A batch stays queued
 * until PostgreSQL confirmed it, and what fails (server down, restarting) is retried every
 * second, oldest first: nothing acknowledged is dropped. `flush` resolves only once everything
 * written before it is stored, so the ingestion inbox, which forgets only what the writer
 * stored (InboxDrain), keeps the messages on disk meanwhile, and replays them if the process
 * ends first. The same choice as the embedded writer; InfluxDB's outbox exists because InfluxDB
 * is a remote store that may be away for hours while the operational store is local to convoi.
 */
@Injectable()
export class PostgresTelemetryWriter extends TelemetryWriter implements BeforeApplicationShutdown {
  private readonly logger = new Logger(PostgresTelemetryWriter.name);
  readonly partitions: PostgresReadingPartitions;
  private readonly session: PostgresReadingsSession;
  private pendingReadings = emptyColumns();
  private pendingAlerts: AlertEvent[] = [];
  /** Sent, not stored yet, oldest first. */
  private readonly queue: Batch[] = [];
  private readonly batches = new BatchSequence();
  private timer?: NodeJS.Timeout;
  private soon?: NodeJS.Immediate;
  private retry?: NodeJS.Timeout;
  private pumping = false;
  /** When the last statement started (performance.now()). */
  private lastStatementAt = -Infinity;
  private closed = false;
  /** Why the last attempt failed, while writes fail. */
  private failure?: string;
  private readonly measured: ReturnType<typeof telemetryWriteMetrics>;

  constructor(
    private readonly store: OperationalDatabase,
    private readonly config: PostgresTelemetryConfig,
    metrics: Metrics,
  ) {
    super();
    this.partitions = new PostgresReadingPartitions(store.db);
    if (store.url === undefined) throw new Error('The PostgreSQL time series needs DATABASE_URL');
    this.session = new PostgresReadingsSession(store.url);
    this.measured = telemetryWriteMetrics(metrics);
  }

  write(readings: readonly Reading[]): void {
    // Copied now, as the other stores do: a reading object is the pipeline's, not kept here.
    for (const r of readings) appendReading(this.pendingReadings, r);
    this.scheduled();
  }

  writeAlert(event: AlertEvent): void {
    this.pendingAlerts.push(event);
    this.scheduled();
  }

  flush(): Promise<void> {
    this.send();
    return this.batches.storedUpTo(this.batches.lastSent);
  }

  /** Degraded while readings wait in memory for PostgreSQL (the inbox keeps them too). */
  override health(): { status: 'up' | 'degraded'; detail?: string } {
    return this.failure === undefined
      ? { status: 'up' }
      : { status: 'degraded', detail: `${this.queuedReadings()} readings wait: ${this.failure}` };
  }

  /** Not ready while PostgreSQL refuses the readings: they pile up in memory. */
  override readiness(): { status: 'up' | 'down'; detail?: string } {
    return this.failure === undefined
      ? { status: 'up' }
      : { status: 'down', detail: `writes failing: ${this.failure}` };
  }

  async beforeApplicationShutdown(): Promise<void> {
    let timeout: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<boolean>((resolve) => {
      timeout = setTimeout(() => resolve(true), SHUTDOWN_WAIT_MS);
    });
    const stored = await Promise.race([this.flush().then(() => false), gaveUp]);
    clearTimeout(timeout);
    this.closed = true;
    clearTimeout(this.timer);
    clearImmediate(this.soon);
    clearTimeout(this.retry);
    await this.session.close();
    if (stored)
      this.logger.error(
        `PostgreSQL did not take ${this.queuedReadings()} readings before shutdown: not stored ` +
          `(${this.failure ?? 'no answer'}); the ingestion inbox replays them at the next start`,
      );
  }

  private scheduled(): void {
    // Never sent here: `write` runs inside the ingestion slice, which has its own time budget.
    if (
      this.pendingReadings.containerId.length + this.pendingAlerts.length >=
      this.config.TELEMETRY_BATCH_SIZE
    )
      this.sendSoon();
    else this.timer ??= setTimeout(() => this.sendSoon(), this.config.TELEMETRY_FLUSH_MS);
  }

  private sendSoon(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.soon ??= setImmediate(() => {
      this.soon = undefined;
      this.send();
    });
  }

  private send(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pendingReadings.containerId.length === 0 && this.pendingAlerts.length === 0) return;
    this.queue.push({ seq: this.batches.next(), readings: this.pendingReadings, alerts: this.pendingAlerts });
    this.pendingReadings = emptyColumns();
    this.pendingAlerts = [];
    if (this.retry === undefined) void this.pump();
  }

  /** Stores the queued batches, oldest first, several per statement when they queued up. */
  private async pump(): Promise<void> {
    if (this.pumping || this.closed) return;
    this.pumping = true;
    try {
      while (this.queue.length > 0 && !this.closed) {
        const gap = this.lastStatementAt + MIN_STATEMENT_GAP_MS - performance.now();
        if (gap > 0) await new Promise((resolve) => setTimeout(resolve, gap));
        if (this.closed) return;
        this.lastStatementAt = performance.now();
        let n = 0;
        let rows = 0;
        while (
          n < this.queue.length &&
          (n === 0 || rows + this.queue[n].readings.containerId.length <= MAX_ROWS_PER_INSERT)
        )
          rows += this.queue[n++].readings.containerId.length;
        const batches = this.queue.slice(0, n);
        const started = performance.now();
        try {
          await this.storeBatches(batches);
        } catch (error) {
          this.failed(error);
          return;
        }
        this.queue.splice(0, n);
        this.measured.batchSeconds.observe((performance.now() - started) / 1000);
        this.confirm(batches[n - 1].seq, rows);
      }
    } finally {
      this.pumping = false;
    }
  }

  private async storeBatches(batches: readonly Batch[]): Promise<void> {
    const readings = batches.map((b) => b.readings).filter((c) => c.containerId.length > 0);
    if (readings.length > 0) {
      await this.partitions.ensure(daysOf(readings));
      // Sent as they are: the session merges repeated keys only when the plain INSERT meets one.
      await this.session.insert(readings);
    }
    // A repeat within the batch would meet its key twice in one statement: the last one stays.
    const alerts = new Map<string, AlertEvent>();
    for (const b of batches)
      for (const e of b.alerts)
        alerts.set(`${e.containerId}\u0000${e.at}\u0000${e.alertId}\u0000${e.change}`, e);
    await insertAlertEvents(this.store.db, [...alerts.values()]);
  }

  private confirm(seq: number, rows: number): void {
    if (this.failure !== undefined) this.logger.log('Readings are stored in PostgreSQL again');
    this.failure = undefined;
    this.measured.written.inc(rows);
    this.batches.confirm(seq);
  }

  private failed(error: unknown): void {
    const reason = error instanceof Error ? error.message : String(error);
    // Once per outage, loudly; the batches stay queued and are retried.
    if (this.failure === undefined)
      this.logger.error(
        { queued: this.queuedReadings(), reason },
        'Writing readings to PostgreSQL failed, will retry',
      );
    this.failure = reason;
    // A partition may have been dropped by another node's retention: check again next time.
    this.partitions.forget();
    this.retry = setTimeout(() => {
      this.retry = undefined;
      void this.pump();
    }, RETRY_AFTER_FAILURE_MS);
  }

  private queuedReadings(): number {
    return this.queue.reduce(
      (n, b) => n + b.readings.containerId.length,
      this.pendingReadings.containerId.length,
    );
  }
}

/** The days (since the epoch) the readings were measured on: a day or two however many rows. */
function daysOf(batches: readonly ReadingColumns[]): Set<number> {
  const days = new Set<number>();
  let last = NaN;
  for (const b of batches)
    for (const at of b.measuredAt) {
      const day = dayOf(at);
      if (day !== last) days.add((last = day));
    }
  return days;
}
