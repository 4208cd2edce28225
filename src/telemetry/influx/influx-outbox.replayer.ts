import type { Logger } from '@nestjs/common';
import type { Clock } from '#src/common/clock.js';
import type { JobLease } from '#src/leases/job-lease.js';
import type { InfluxSettings } from './influx.config.js';
import type { DeliveryPart, InfluxDelivery } from './influx-delivery.js';
import type { InfluxOutbox } from './influx-outbox.js';
import type { OutboxGroup } from './influx-outbox.store.js';
import type { InfluxWriteOutcomes } from './influx-write-outcomes.js';
import type { InfluxWriterMetrics } from './influx-writer.metrics.js';

/** Statuses that refuse some lines of a request for what they hold, not the request itself. */
const DATA_REFUSALS = new Set([400, 422]);

/** What the replay shares with the writer: the same InfluxDB, outbox, retry clock and metrics. */
export interface InfluxOutboxReplayerDeps {
  config: Pick<InfluxSettings, 'INFLUX_BATCH_SIZE' | 'INFLUX_MAX_IN_FLIGHT'>;
  outbox: InfluxOutbox;
  delivery: InfluxDelivery;
  outcomes: InfluxWriteOutcomes;
  stats: InfluxWriterMetrics;
  clock: Clock;
  logger: Logger;
  /** The `influx-outbox-replay` lease: always held on SQLite, one node's on PostgreSQL. */
  lease: JobLease;
}

/**
 * Replays the InfluxDB outbox oldest first (ARCHITECTURE.md §5), while this node holds the
 * `influx-outbox-replay` lease: in requests of up to INFLUX_BATCH_SIZE lines, whatever the size
 * of the rows, INFLUX_MAX_IN_FLIGHT at once, waiting out backoff and Retry-After, each group
 * settled in one transaction. Replays are idempotent: a point is keyed by its tags and timestamp.
 */
export class InfluxOutboxReplayer {
  private draining: Promise<void> | undefined;
  private drainWake: (() => void) | undefined;
  private drainTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly config: InfluxOutboxReplayerDeps['config'];
  private readonly outbox: InfluxOutbox;
  private readonly delivery: InfluxDelivery;
  private readonly outcomes: InfluxWriteOutcomes;
  private readonly stats: InfluxWriterMetrics;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly lease: JobLease;

  constructor(deps: InfluxOutboxReplayerDeps) {
    ({
      config: this.config,
      outbox: this.outbox,
      delivery: this.delivery,
      outcomes: this.outcomes,
      stats: this.stats,
      clock: this.clock,
      logger: this.logger,
      lease: this.lease,
    } = deps);
  }

  /** Ends the wait for the backoff and replays now (after an operator re-queued a dead letter). */
  wake(): void {
    this.drainWake?.();
    this.kick();
  }

  /** Stops taking groups and waits for the replay's groups in flight to be settled. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.drainTimer);
    this.drainWake?.();
    await this.draining;
  }

  /** Starts a replay unless one runs, this node is not the lease holder, or it stopped. */
  kick(): void {
    if (this.draining || this.stopped || !this.lease.isHeld()) return;
    this.draining = this.drain()
      .catch((error: unknown) => this.logger.error({ err: error }, 'InfluxDB outbox replay stopped'))
      .finally(() => {
        this.draining = undefined;
        if (!this.stopped) this.stats.outbox(this.outbox.stats(), this.clock.now());
      });
  }

  /** Replays the outbox oldest first, in large requests, waiting out backoff and Retry-After. */
  private async drain(): Promise<void> {
    while (!this.stopped && this.lease.isHeld()) {
      const wait = this.outcomes.nextAttemptAt - this.clock.now();
      if (wait > 0) {
        await new Promise<void>((resolve) => {
          this.drainWake = resolve;
          this.drainTimer = setTimeout(resolve, wait);
        });
        this.drainWake = undefined;
        continue;
      }
      const replayed = await this.replayFromHead();
      this.stats.outbox(this.outbox.stats(), this.clock.now());
      if (this.outbox.stats().batches === 0) {
        this.logger.log('InfluxDB outbox drained');
        return;
      }
      if (replayed === 0) return;
    }
  }

  /**
   * One pass over the outbox from its head, INFLUX_MAX_IN_FLIGHT requests in flight and each
   * answer making room for the next group at once (waiting for a whole round of groups let the
   * slowest answer of each round idle the other connections). One probe at a time while InfluxDB
   * fails; the pass stops taking groups at the first transient failure (the head is retried after
   * the backoff), when no row is left behind the groups taken, and when the lease is lost (a
   * group in flight is settled all the same: another holder may send it too, which InfluxDB
   * absorbs). Returns the groups sent.
   */
  private async replayFromHead(): Promise<number> {
    const running = new Set<Promise<void>>();
    let afterId = 0;
    let sent = 0;
    let failure: Error | undefined;
    const width = () => (this.outcomes.failures > 0 ? 1 : this.config.INFLUX_MAX_IN_FLIGHT);
    const mayTake = () =>
      !this.stopped &&
      this.lease.isHeld() &&
      failure === undefined &&
      (sent === 0 || (this.outcomes.failures === 0 && this.outcomes.nextAttemptAt <= this.clock.now()));
    const fill = async () => {
      while (running.size < width() && mayTake()) {
        const [group] = await this.outbox.groups(this.config.INFLUX_BATCH_SIZE, 1, afterId);
        if (group === undefined) return;
        afterId = group.lastId;
        sent += 1;
        const replay: Promise<void> = this.replay(group)
          .catch((error: unknown) => {
            failure ??= error instanceof Error ? error : new Error(String(error));
          })
          .finally(() => running.delete(replay));
        running.add(replay);
      }
    };
    await fill();
    while (running.size > 0) {
      await Promise.race(running);
      await fill();
    }
    if (failure !== undefined) throw failure;
    return sent;
  }

  private async replay(group: OutboxGroup): Promise<void> {
    const parts = await this.deliverRows(group.rows);
    for (const part of parts) this.outcomes.account(part);
    const retry = parts.flatMap((p) => (p.outcome.kind === 'retry' ? p.lines : []));
    const dead = parts.flatMap((p) =>
      p.outcome.kind === 'dead'
        ? [{ lines: p.lines, status: p.outcome.status, reason: p.outcome.reason }]
        : [],
    );
    const failed = parts.findLast((p) => p.outcome.kind === 'retry')?.outcome;
    await this.outbox.settle(group, retry, dead, failed?.kind === 'retry' ? failed.reason : undefined);
  }

  /**
   * Sends rows as one request. A refusal of the data (400: a partial write of 1.x, 3.x and Cloud,
   * or a malformed line refusing the whole request; 422: a partial write of recent 2.x) for
   * several rows is split at row boundaries and sent again, halves in turn, until
   * each refused part is one row: a bad line dead-letters the batch it was written with, as a
   * live write would, never the rows it happened to be replayed beside. Resending the good lines
   * is harmless (a point is keyed by its tags and timestamp).
   */
  private async deliverRows(rows: readonly string[][]): Promise<DeliveryPart[]> {
    const parts = await this.delivery.deliver(rows.length === 1 ? rows[0] : rows.flat());
    const partial = parts.some((p) => p.outcome.kind === 'dead' && DATA_REFUSALS.has(p.outcome.status));
    if (!partial || rows.length === 1) return parts;
    const middle = Math.ceil(rows.length / 2);
    const first = await this.deliverRows(rows.slice(0, middle));
    const second = await this.deliverRows(rows.slice(middle));
    return [...first, ...second];
  }
}
