/**
 * A token bucket: `ratePerS` tokens a second, at most `burst` saved up. Time comes from the
 * caller (epoch ms), so the bucket is pure and tests move time by hand. A rate of 0 means
 * unlimited.
 */
export class TokenBucket {
  private tokens: number;
  private lastMs: number;

  constructor(
    private ratePerS: number,
    private burst: number,
    nowMs: number,
  ) {
    this.tokens = burst;
    this.lastMs = nowMs;
  }

  /** Takes one token; false when the bucket is empty. */
  take(nowMs: number): boolean {
    if (this.ratePerS === 0) return true;
    const elapsedMs = Math.max(0, nowMs - this.lastMs);
    this.lastMs = nowMs;
    this.tokens = Math.min(this.burst, this.tokens + (elapsedMs * this.ratePerS) / 1000);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Changes the rate (e.g. once the client is known to be an integration); refills the burst. */
  reset(ratePerS: number, burst: number, nowMs: number): void {
    this.ratePerS = ratePerS;
    this.burst = burst;
    this.tokens = burst;
    this.lastMs = nowMs;
  }
}
