import type { Metrics } from '#src/common/metrics.js';

/**
 * The numbers of a writer's batches, sent and stored, and the flushes waiting for a batch to be
 * stored: batches are stored in the order they were sent, so a flush waits for the last one sent
 * when it was called.
 */
export class BatchSequence {
  private sent = 0;
  private stored = 0;
  private readonly waiters: { seq: number; resolve: () => void }[] = [];

  /** The number of the batch about to be sent. */
  next(): number {
    return ++this.sent;
  }

  /** The number of the last batch sent. */
  get lastSent(): number {
    return this.sent;
  }

  /** Resolves once batch `seq` and those before it are stored. */
  storedUpTo(seq: number): Promise<void> {
    if (this.stored >= seq) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ seq, resolve }));
  }

  /** Batch `seq` and those before it are stored: the flushes waiting for them go on. */
  confirm(seq: number): void {
    this.stored = seq;
    while (this.waiters.length > 0 && this.waiters[0].seq <= seq) this.waiters.shift()!.resolve();
  }
}

/** The metrics every time-series writer into a database of convoi's keeps (embedded or PostgreSQL). */
export function telemetryWriteMetrics(metrics: Metrics) {
  return {
    written: metrics.counter(
      'convoi_telemetry_points_written_total',
      'Readings written to the time-series store',
    ),
    batchSeconds: metrics.histogram(
      'convoi_telemetry_batch_seconds',
      'Time to write one transaction of readings',
      [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1],
    ),
  };
}
