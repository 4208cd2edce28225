import fc from 'fast-check';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiKeyRateLimiter, type RateDecision } from './api-key-rate.limiter.js';

const WINDOW_MS = 60_000;

/** The sliding log the limiter replaces: every counted time kept in a plain array. */
class SlidingLogModel {
  private readonly hits = new Map<string, number[]>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  hit(keyId: string, nowMs: number): RateDecision {
    const live = (this.hits.get(keyId) ?? []).filter((t) => t > nowMs - this.windowMs);
    this.hits.set(keyId, live);
    const seconds = (at: number) => Math.max(1, Math.ceil((at - nowMs) / 1000));
    if (live.length >= this.limit)
      return { allowed: false, limit: this.limit, retryAfterS: seconds(live[0] + this.windowMs) };
    live.push(nowMs);
    return {
      allowed: true,
      limit: this.limit,
      remaining: this.limit - live.length,
      resetS: seconds(live[0] + this.windowMs),
    };
  }
}

describe(ApiKeyRateLimiter.name, () => {
  it('allows `limit` requests in a window, then refuses until the oldest one leaves it', () => {
    const limiter = new ApiKeyRateLimiter(3, WINDOW_MS);
    const t0 = 1_000_000;
    assert.deepEqual(limiter.hit('k', t0), { allowed: true, limit: 3, remaining: 2, resetS: 60 });
    assert.equal(limiter.hit('k', t0 + 10_000).allowed, true);
    assert.equal(limiter.hit('k', t0 + 20_000).allowed, true);
    assert.deepEqual(limiter.hit('k', t0 + 30_500), { allowed: false, limit: 3, retryAfterS: 30 });
    assert.equal(limiter.hit('k', t0 + WINDOW_MS - 1).allowed, false);
    assert.equal(limiter.hit('k', t0 + WINDOW_MS).allowed, true, 'the first request left the window');
    assert.equal(limiter.hit('k', t0 + WINDOW_MS + 1).allowed, false);
  });

  it('does not count refused requests: a client that waits Retry-After gets in', () => {
    const limiter = new ApiKeyRateLimiter(1, WINDOW_MS);
    assert.equal(limiter.hit('k', 0).allowed, true);
    for (let t = 1; t < 50_000; t += 1000) assert.equal(limiter.hit('k', t).allowed, false);
    const refused = limiter.hit('k', 59_000);
    assert.deepEqual(refused, { allowed: false, limit: 1, retryAfterS: 1 });
    assert.equal(limiter.hit('k', 59_000 + refused.retryAfterS * 1000).allowed, true);
  });

  it('keeps one budget per key', () => {
    const limiter = new ApiKeyRateLimiter(1, WINDOW_MS);
    assert.equal(limiter.hit('a', 0).allowed, true);
    assert.equal(limiter.hit('a', 1).allowed, false);
    assert.equal(limiter.hit('b', 2).allowed, true);
  });

  it('never lets a clock stepped back open a second budget', () => {
    const limiter = new ApiKeyRateLimiter(2, WINDOW_MS);
    assert.equal(limiter.hit('k', 100_000).allowed, true);
    assert.equal(limiter.hit('k', 100_001).allowed, true);
    assert.equal(limiter.hit('k', 10_000).allowed, false);
  });

  it('forgets keys idle for a window (revoked keys hold no memory)', () => {
    const limiter = new ApiKeyRateLimiter(10, WINDOW_MS);
    for (let i = 0; i < 100; i++) limiter.hit(`k-${i}`, 0);
    assert.equal(limiter.trackedKeys, 100);
    limiter.hit('active', WINDOW_MS + 1);
    assert.equal(limiter.trackedKeys, 1);
  });

  it('decides as the sliding log does, for any sequence of requests', () => {
    const step = fc.record({
      key: fc.constantFrom('a', 'b', 'c'),
      gapMs: fc.integer({ min: 0, max: 9_000 }),
    });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.array(step, { maxLength: 300 }), (limit, steps) => {
        const limiter = new ApiKeyRateLimiter(limit, WINDOW_MS);
        const model = new SlidingLogModel(limit, WINDOW_MS);
        let now = 5_000_000;
        for (const { key, gapMs } of steps) {
          now += gapMs;
          assert.deepEqual(limiter.hit(key, now), model.hit(key, now));
        }
      }),
    );
  });
});
