import type { Counter, Gauge } from 'prom-client';
import type { Metrics } from '#src/common/metrics.js';
import type { LineProblems } from './influx-line-protocol.js';
import type { OutboxStats } from './influx-outbox.store.js';

/** The Prometheus metrics of the InfluxDB writer, in one place so names stay consistent. */
export class InfluxWriterMetrics implements LineProblems {
  readonly written: Counter;
  /** Lines whose write attempt failed transiently (they wait in the outbox). */
  readonly failed: Counter<'reason'>;
  readonly deadLettered: Counter<'status'>;
  readonly outboxDropped: Counter;
  private readonly fieldsSkipped: Counter<'field'>;
  private readonly pointsSkipped: Counter<'reason'>;
  private readonly outboxLines: Gauge;
  private readonly outboxBatches: Gauge;
  private readonly outboxOldestAge: Gauge;

  constructor(metrics: Metrics) {
    this.written = metrics.counter('convoi_influx_points_written_total', 'Lines acknowledged by InfluxDB');
    this.failed = metrics.counter(
      'convoi_influx_write_failures_total',
      'Lines whose write failed transiently and went to (or stayed in) the outbox',
      ['reason'],
    );
    this.deadLettered = metrics.counter(
      'convoi_influx_points_dead_lettered_total',
      'Lines InfluxDB refused for good, kept as dead letters',
      ['status'],
    );
    this.outboxDropped = metrics.counter(
      'convoi_influx_outbox_dropped_lines_total',
      'Lines dropped from the outbox because it reached INFLUX_OUTBOX_MAX_LINES',
    );
    this.fieldsSkipped = metrics.counter(
      'convoi_influx_fields_skipped_total',
      'Field values not written because they were NaN or infinite',
      ['field'],
    );
    this.pointsSkipped = metrics.counter(
      'convoi_influx_points_skipped_total',
      'Points not written (no field left, unusable timestamp)',
      ['reason'],
    );
    this.outboxLines = metrics.gauge('convoi_influx_outbox_lines', 'Lines waiting in the InfluxDB outbox');
    this.outboxBatches = metrics.gauge(
      'convoi_influx_outbox_batches',
      'Batches waiting in the InfluxDB outbox',
    );
    this.outboxOldestAge = metrics.gauge(
      'convoi_influx_outbox_oldest_age_seconds',
      'Age of the oldest batch in the InfluxDB outbox (0 when empty)',
    );
  }

  skippedField(field: string): void {
    this.fieldsSkipped.inc({ field });
  }

  skippedPoint(reason: 'no_fields' | 'bad_time'): void {
    this.pointsSkipped.inc({ reason });
  }

  outbox(stats: OutboxStats, now: number): void {
    this.outboxLines.set(stats.lines);
    this.outboxBatches.set(stats.batches);
    this.outboxOldestAge.set(stats.oldestCreatedAt === undefined ? 0 : (now - stats.oldestCreatedAt) / 1000);
  }
}
