import { BeforeApplicationShutdown, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { Clock } from '#src/common/clock.js';
import { Metrics } from '#src/common/metrics.js';
import { InfluxConfig } from './influx.config.js';
import type { AlertEvent } from '#src/contracts/alert-event.js';
import type { Reading } from '#src/contracts/reading.js';
import type { JobLease } from '#src/leases/job-lease.js';
import { JobLeases } from '#src/leases/job-leases.js';
import { SINGLETON_JOBS } from '#src/leases/singleton-jobs.js';
import { TelemetryWriter } from '../telemetry.ports.js';
import { InfluxDelivery } from './influx-delivery.js';
import { alertToLine, readingToLine } from './influx-line-protocol.js';
import { InfluxOutbox } from './influx-outbox.js';
import { InfluxOutboxReplayer } from './influx-outbox.replayer.js';
import { InfluxWriteOutcomes } from './influx-write-outcomes.js';
import { InfluxWriterMetrics } from './influx-writer.metrics.js';

/** What /health shows of the writer: degraded (not down) while anything waits in the outbox. */
export interface InfluxWriterStatus {
  state: 'up' | 'degraded';
  outboxBatches: number;
  outboxLines: number;
  /** Age of the oldest waiting batch, ms (0 when empty). */
  outboxOldestAgeMs: number;
  inFlight: number;
  /** The last failure since InfluxDB last accepted a write (absent once it accepts one). */
  lastError?: string;
}

/**
 * Writes readings and alert events to InfluxDB through `/api/v2/write` (ARCHITECTURE.md §5).
 *
 * Lines are batched here (size or interval), sent with bounded concurrency, and every batch
 * ends acknowledged, in the outbox (transient failure) or in the dead letters (refused). The
 * outbox is the operational store's ({@link InfluxOutbox}): the node's SQLite file, or with
 * `DATABASE_URL` one PostgreSQL queue for every node. While the outbox holds rows this writer
 * queued, its new batches queue behind them, so its data reaches InfluxDB in order and a down
 * server costs one failed request per backoff, not one per batch. Only the holder of the
 * `influx-outbox-replay` lease replays (always this node on SQLite; on PostgreSQL one node
 * replays every node's rows, so the lines of a node that died are sent all the same), through
 * {@link InfluxOutboxReplayer}, in requests of up to INFLUX_BATCH_SIZE lines whatever the size of
 * the rows (one per flush of the inbox while the outbox is not empty), so it catches up while the
 * load goes on.
 */
@Injectable()
export class InfluxTelemetryWriter
  extends TelemetryWriter
  implements OnModuleInit, BeforeApplicationShutdown
{
  private readonly logger = new Logger(InfluxTelemetryWriter.name);
  private lease: JobLease | undefined;
  /** The tick's recount of the outbox, while it runs (never two at once). */
  private ticking: Promise<void> | undefined;
  private readonly delivery: InfluxDelivery;
  private readonly stats: InfluxWriterMetrics;
  private buffer: string[] = [];
  private bufferTimer: NodeJS.Timeout | undefined;
  private readonly queue: string[][] = [];
  private inFlight = 0;
  /** Batches not yet acknowledged nor persisted: what `flush` waits for. */
  private readonly unsettled = new Set<Promise<void>>();
  private readonly waiting = new Map<string[], () => void>();
  /** Made once the lease is known (onModuleInit). */
  private replayer: InfluxOutboxReplayer | undefined;
  private readonly outcomes: InfluxWriteOutcomes;
  private ticker: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly config: InfluxConfig,
    readonly outbox: InfluxOutbox,
    metrics: Metrics,
    private readonly clock: Clock,
    private readonly leases: JobLeases,
  ) {
    super();
    this.delivery = new InfluxDelivery(config, () => clock.now());
    this.stats = new InfluxWriterMetrics(metrics);
    this.outcomes = new InfluxWriteOutcomes(config, this.stats, clock, this.logger);
  }

  async onModuleInit(): Promise<void> {
    await this.outbox.open();
    this.lease = await this.leases.lease(SINGLETON_JOBS.influxOutboxReplay);
    this.replayer = new InfluxOutboxReplayer({
      config: this.config,
      outbox: this.outbox,
      delivery: this.delivery,
      outcomes: this.outcomes,
      stats: this.stats,
      clock: this.clock,
      logger: this.logger,
      lease: this.lease,
    });
    const waiting = this.outbox.stats();
    if (waiting.batches > 0) {
      this.logger.warn(
        { outboxLines: waiting.lines, replaying: this.lease.isHeld() },
        'InfluxDB outbox holds lines from before the start',
      );
    }
    this.ticker = setInterval(() => this.tick(), Math.max(this.config.INFLUX_FLUSH_MS, 1000));
    this.ticker.unref();
    this.tick();
  }

  write(readings: readonly Reading[]): void {
    for (const r of readings) this.push(readingToLine(r, this.stats));
  }

  writeAlert(event: AlertEvent): void {
    this.push(alertToLine(event, this.stats));
  }

  async flush(): Promise<void> {
    this.seal();
    await Promise.all([...this.unsettled]);
  }

  /** Flushes, then stops replaying: whatever InfluxDB did not take stays in the outbox. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.flush();
    this.stopped = true;
    clearInterval(this.ticker);
    await this.replayer?.stop();
    await this.ticking;
    this.logger.log({ outboxLines: this.outbox.stats().lines }, 'InfluxDB writer stopped');
  }

  isHealthy(): boolean {
    return this.outbox.stats().batches === 0;
  }

  override health(): { status: 'up' | 'degraded'; detail?: string } {
    const s = this.status();
    if (s.state === 'up') return { status: 'up' };
    return {
      status: 'degraded',
      detail: `${s.outboxLines} lines in the outbox, oldest ${Math.round(s.outboxOldestAgeMs / 1000)} s${s.lastError ? `; last error: ${s.lastError}` : ''}`,
    };
  }

  /**
   * Not ready once the node's own outbox (SQLite) holds half of INFLUX_OUTBOX_MAX_LINES: past the
   * bound the oldest lines are dropped, so intake should move to nodes that still have room.
   * Below it, degraded: every node shares the InfluxDB, and a short outage must not take them all
   * out of service. The outbox in PostgreSQL is every node's: no node has more room than another,
   * so it leaves readiness degraded (taking every node out would stop intake altogether).
   */
  override readiness(): { status: 'up' | 'degraded' | 'down'; detail?: string } {
    const health = this.health();
    const lines = this.outbox.stats().lines;
    const limit = this.config.INFLUX_OUTBOX_MAX_LINES;
    if (this.outbox.shared || lines * 2 < limit) return health;
    return {
      status: 'down',
      detail: `InfluxDB outbox at ${lines} of ${limit} lines: ${health.detail ?? ''}`,
    };
  }

  status(): InfluxWriterStatus {
    const s = this.outbox.stats();
    return {
      state: s.batches === 0 ? 'up' : 'degraded',
      outboxBatches: s.batches,
      outboxLines: s.lines,
      outboxOldestAgeMs: s.oldestCreatedAt === undefined ? 0 : this.clock.now() - s.oldestCreatedAt,
      inFlight: this.inFlight,
      lastError: this.outcomes.lastError,
    };
  }

  /** Starts replaying the outbox now (after an operator re-queued a dead letter). */
  wake(): void {
    this.outcomes.retryNow();
    this.replayer?.wake();
  }

  private push(line: string | undefined): void {
    if (line === undefined) return;
    this.buffer.push(line);
    if (this.stopped || this.buffer.length >= this.config.INFLUX_BATCH_SIZE) this.seal();
    else this.bufferTimer ??= setTimeout(() => this.seal(), this.config.INFLUX_FLUSH_MS);
  }

  private seal(): void {
    clearTimeout(this.bufferTimer);
    this.bufferTimer = undefined;
    if (this.buffer.length === 0) return;
    const batch = this.buffer;
    this.buffer = [];
    // Behind this writer's queued rows (or after shutdown) a batch goes straight to the outbox, in order.
    if (this.stopped || this.outbox.ownBatches() > 0) {
      this.track(this.persist([batch]));
      return;
    }
    const settled = new Promise<void>((resolve) => this.waiting.set(batch, resolve));
    this.unsettled.add(settled);
    void settled.then(() => this.unsettled.delete(settled));
    this.queue.push(batch);
    // Memory stays bounded when InfluxDB is slower than intake: the surplus waits in the outbox.
    if (this.queue.length > this.config.INFLUX_MAX_IN_FLIGHT * 2) {
      const overflow = this.queue.splice(0, this.queue.length - this.config.INFLUX_MAX_IN_FLIGHT);
      void this.persistOrLog(overflow).finally(() => {
        for (const b of overflow) this.settleBatch(b);
      });
    }
    this.pump();
  }

  private pump(): void {
    while (this.inFlight < this.config.INFLUX_MAX_IN_FLIGHT && this.queue.length > 0) {
      const batch = this.queue.shift() as string[];
      this.inFlight += 1;
      void this.send(batch);
    }
  }

  private async send(batch: string[]): Promise<void> {
    try {
      const parts = await this.delivery.deliver(batch);
      const retry = parts.filter((p) => p.outcome.kind === 'retry');
      for (const part of parts) this.outcomes.account(part);
      if (retry.length > 0) await this.persist(retry.map((p) => p.lines));
      for (const part of parts) {
        if (part.outcome.kind === 'dead') {
          await this.outbox.deadLetter(part.lines, part.outcome.status, part.outcome.reason);
        }
      }
    } catch (error) {
      // Only the store can throw here (delivery classifies every HTTP failure): nothing to fall back on.
      this.logger.error({ lines: batch.length, err: error }, 'InfluxDB batch could not be persisted');
    } finally {
      this.inFlight -= 1;
      this.settleBatch(batch);
      this.pump();
      if (this.outbox.stats().batches > 0) this.replayer?.kick();
    }
  }

  private settleBatch(batch: string[]): void {
    this.waiting.get(batch)?.();
    this.waiting.delete(batch);
  }

  /** Persists batches, logging a failure of the store; what {@link flush} waits for. */
  private track(persisting: Promise<void>): void {
    const settled = persisting.catch((error: unknown) =>
      this.logger.error({ err: error }, 'InfluxDB batch could not be persisted'),
    );
    this.unsettled.add(settled);
    void settled.then(() => this.unsettled.delete(settled));
  }

  private persistOrLog(batches: readonly string[][]): Promise<void> {
    return this.persist(batches).catch((error: unknown) =>
      this.logger.error({ lines: batches.length, err: error }, 'InfluxDB batch could not be persisted'),
    );
  }

  /** Appends (in call order: the outbox starts each append before the next call), bounds, replays. */
  private async persist(batches: readonly string[][]): Promise<void> {
    await this.outbox.append(batches);
    await this.bound();
    this.stats.outbox(this.outbox.stats(), this.clock.now());
    this.replayer?.kick();
  }

  /**
   * Drops the oldest lines past INFLUX_OUTBOX_MAX_LINES. On the lease holder only: with PostgreSQL
   * the bound is the shared queue's, and one node drops and counts (between two of its ticks the
   * queue may pass the bound by what the others append meanwhile).
   */
  private async bound(): Promise<void> {
    if (this.lease?.isHeld() !== true) return;
    const dropped = await this.outbox.trim(this.config.INFLUX_OUTBOX_MAX_LINES);
    if (dropped.lines > 0) {
      // Policy at the bound: the oldest batches go, so the outbox keeps the most recent data
      // and SQLite stays within its budget. Never silent: counted and logged as an error.
      this.stats.outboxDropped.inc(dropped.lines);
      this.logger.error(
        {
          droppedLines: dropped.lines,
          droppedBatches: dropped.batches,
          maxLines: this.config.INFLUX_OUTBOX_MAX_LINES,
        },
        `InfluxDB OUTBOX FULL (INFLUX_OUTBOX_MAX_LINES=${this.config.INFLUX_OUTBOX_MAX_LINES}): DROPPED the ${dropped.lines} oldest lines (${dropped.batches} batches, queued since ${new Date(dropped.oldestCreatedAt ?? 0).toISOString()})`,
      );
    }
  }

  /** Every second or so: counts the outbox again (PostgreSQL: the other nodes' rows), bounds it, replays. */
  private tick(): void {
    if (this.ticking || this.stopped) return;
    this.ticking = this.recount()
      .catch((error: unknown) => this.logger.warn({ err: error }, 'InfluxDB outbox not counted'))
      .finally(() => (this.ticking = undefined));
  }

  private async recount(): Promise<void> {
    await this.outbox.refresh();
    await this.bound();
    this.stats.outbox(this.outbox.stats(), this.clock.now());
    if (this.outbox.stats().batches > 0) this.replayer?.kick();
  }
}
