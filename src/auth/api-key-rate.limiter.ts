/** What one request learns from the limiter: allowed with what is left, or refused until when. */
export type RateDecision =
  | { allowed: true; limit: number; remaining: number; resetS: number }
  | { allowed: false; limit: number; retryAfterS: number };

/**
 * Times of one key's counted requests, oldest first, in a ring that grows (doubling) up to the
 * limit: memory follows the requests actually made in a window, not the configured limit.
 */
class HitLog {
  times = new Float64Array(8);
  start = 0;
  size = 0;

  front(): number {
    return this.times[this.start];
  }

  back(): number {
    return this.times[(this.start + this.size - 1) % this.times.length];
  }

  dropFront(): void {
    this.start = (this.start + 1) % this.times.length;
    this.size--;
  }

  push(atMs: number, cap: number): void {
    if (this.size === this.times.length) this.grow(cap);
    this.times[(this.start + this.size) % this.times.length] = atMs;
    this.size++;
  }

  private grow(cap: number): void {
    const next = new Float64Array(Math.min(cap, this.times.length * 2));
    for (let i = 0; i < this.size; i++) next[i] = this.times[(this.start + i) % this.times.length];
    this.times = next;
    this.start = 0;
  }
}

/**
 * Sliding-window request limit per API key: at most `limit` requests in any `windowMs`, exactly
 * (each counted request is remembered for one window). Refused requests are not counted, so a
 * client that backs off for `Retry-After` seconds gets in. Amortised O(1) per request: expired
 * times leave from the front of the key's ring, a new one joins at the back (the log of
 * @nestjs/throttler filtered and copied every hit of the window on every request, and spread
 * them into `Math.min`: ~60,000 at 1,000 req/s, the largest cost of a REST read).
 */
export class ApiKeyRateLimiter {
  private readonly logs = new Map<string, HitLog>();
  private sweptAtMs = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** Counts a request of `keyId` at `nowMs` if the key is under its limit. */
  hit(keyId: string, nowMs: number): RateDecision {
    this.sweepIdle(nowMs);
    let log = this.logs.get(keyId);
    if (log === undefined) this.logs.set(keyId, (log = new HitLog()));
    // A clock stepped back must not break the ring's order (its front is the oldest time).
    const at = log.size > 0 ? Math.max(nowMs, log.back()) : nowMs;
    const horizon = at - this.windowMs;
    while (log.size > 0 && log.front() <= horizon) log.dropFront();
    if (log.size >= this.limit) {
      return {
        allowed: false,
        limit: this.limit,
        retryAfterS: secondsUntil(log.front() + this.windowMs, at),
      };
    }
    log.push(at, this.limit);
    return {
      allowed: true,
      limit: this.limit,
      remaining: this.limit - log.size,
      resetS: secondsUntil(log.front() + this.windowMs, at),
    };
  }

  /** Keys tracked now (for tests of the memory bound). */
  get trackedKeys(): number {
    return this.logs.size;
  }

  /** Once a window, forgets keys with nothing left in it (revoked or idle keys hold no ring). */
  private sweepIdle(nowMs: number): void {
    if (nowMs - this.sweptAtMs < this.windowMs) return;
    this.sweptAtMs = nowMs;
    for (const [keyId, log] of this.logs) {
      if (log.size === 0 || log.back() <= nowMs - this.windowMs) this.logs.delete(keyId);
    }
  }
}

/** Whole seconds from `nowMs` to `atMs`, at least 1 (Retry-After is a positive integer). */
function secondsUntil(atMs: number, nowMs: number): number {
  return Math.max(1, Math.ceil((atMs - nowMs) / 1000));
}
