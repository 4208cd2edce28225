import type { Logger } from '@nestjs/common';
import type { Clock } from '#src/common/clock.js';
import type { InfluxSettings } from './influx.config.js';
import type { DeliveryPart } from './influx-delivery.js';
import type { InfluxWriterMetrics } from './influx-writer.metrics.js';

/**
 * What the InfluxDB writer learns from the answers to its writes, live or replayed: counters and
 * logs, the retry clock (doubling backoff with jitter, or the server's Retry-After) and the
 * last failure since InfluxDB last accepted a write.
 */
export class InfluxWriteOutcomes {
  /** Transient failures in a row. */
  failures = 0;
  /** Epoch ms before which the outbox is not replayed. */
  nextAttemptAt = 0;
  lastError: string | undefined;

  constructor(
    private readonly config: Pick<InfluxSettings, 'INFLUX_RETRY_MIN_MS' | 'INFLUX_RETRY_MAX_MS'>,
    private readonly stats: InfluxWriterMetrics,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** Lets the next replay go now (an operator re-queued a dead letter). */
  retryNow(): void {
    this.nextAttemptAt = 0;
  }

  /** Counts and logs one part's outcome, and moves the retry clock on a transient failure. */
  account(part: DeliveryPart): void {
    const o = part.outcome;
    if (o.kind === 'written') {
      this.stats.written.inc(part.lines.length);
      this.failures = 0;
      this.lastError = undefined;
    } else if (o.kind === 'retry') {
      this.stats.failed.inc({ reason: o.reason }, part.lines.length);
      this.failures += 1;
      this.lastError = o.reason;
      const backoff = Math.min(
        this.config.INFLUX_RETRY_MIN_MS * 2 ** Math.min(this.failures - 1, 20),
        this.config.INFLUX_RETRY_MAX_MS,
      );
      // Jitter spreads the retries of several nodes; a server's own Retry-After is taken as said.
      const delay = o.retryAfterMs ?? backoff * (0.8 + 0.4 * Math.random());
      this.nextAttemptAt = Math.max(this.nextAttemptAt, this.clock.now() + delay);
      if (this.failures === 1 || this.failures % 10 === 0) {
        this.logger.warn(
          {
            reason: o.reason,
            failures: this.failures,
            lines: part.lines.length,
            retryInMs: Math.round(delay),
          },
          'InfluxDB write failed: lines kept in the outbox',
        );
      }
    } else {
      this.stats.deadLettered.inc({ status: String(o.status) }, part.lines.length);
      this.lastError = o.reason;
      this.logger.error(
        { reason: o.reason, status: o.status, lines: part.lines.length },
        'InfluxDB refused lines: kept as dead letters',
      );
    }
  }
}
