/**
 * Fixed-size latency histogram (ms): 0.1 ms buckets to 100 ms, then 1 ms buckets to 30 s, then
 * one overflow bucket. Bounded memory whatever the rate, mergeable across processes (the counts
 * travel over IPC as a sparse list).
 */
const FINE_MS = 100;
const FINE_BUCKETS = 1000;
const COARSE_MS = 30_000;
const COARSE_BUCKETS = COARSE_MS - FINE_MS;
const SIZE = FINE_BUCKETS + COARSE_BUCKETS + 1;

/** Sparse form: [bucket, count] pairs. */
export type HistogramData = [number, number][];

export class LatencyHistogram {
  private counts = new Uint32Array(SIZE);
  private n = 0;
  private maxMs = 0;

  record(ms: number): void {
    const v = ms < 0 ? 0 : ms;
    let bucket: number;
    if (v < FINE_MS) bucket = Math.floor(v * 10);
    else if (v < COARSE_MS) bucket = FINE_BUCKETS + Math.floor(v - FINE_MS);
    else bucket = SIZE - 1;
    this.counts[bucket]++;
    this.n++;
    if (v > this.maxMs) this.maxMs = v;
  }

  get count(): number {
    return this.n;
  }

  get max(): number {
    return this.maxMs;
  }

  reset(): void {
    this.counts.fill(0);
    this.n = 0;
    this.maxMs = 0;
  }

  merge(data: HistogramData, max = 0): void {
    for (const [bucket, count] of data) {
      this.counts[bucket] += count;
      this.n += count;
    }
    if (max > this.maxMs) this.maxMs = max;
  }

  toData(): HistogramData {
    const out: HistogramData = [];
    for (let i = 0; i < SIZE; i++) if (this.counts[i] > 0) out.push([i, this.counts[i]]);
    return out;
  }

  /** Upper edge of the bucket holding the p-th percentile (so a slight overestimate), ms. */
  percentile(p: number): number {
    if (this.n === 0) return Number.NaN;
    const rank = Math.max(1, Math.ceil((p / 100) * this.n));
    let seen = 0;
    for (let i = 0; i < SIZE; i++) {
      seen += this.counts[i];
      if (seen >= rank) {
        if (i < FINE_BUCKETS) return (i + 1) / 10;
        if (i < SIZE - 1) return FINE_MS + (i - FINE_BUCKETS) + 1;
        return this.maxMs;
      }
    }
    return this.maxMs;
  }
}
