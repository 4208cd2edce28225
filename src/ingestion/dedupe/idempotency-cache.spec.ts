import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { IdempotencyCache } from './idempotency-cache.js';

describe(IdempotencyCache.name, () => {
  const t0 = Date.UTC(2026, 10, 22, 8, 0, 0);

  it('lets the same uplink through once when it arrives 3 times', () => {
    const cache = new IdempotencyCache({ maxEntries: 100, windowMs: 60_000 });
    const verdicts = [t0, t0 + 40, t0 + 2_000].map((at) => cache.seen('0101010101010101:7:1', at));
    assert.deepEqual(verdicts, [false, true, true]);
  });

  it('keeps different keys apart', () => {
    const cache = new IdempotencyCache({ maxEntries: 100, windowMs: 60_000 });
    assert.equal(cache.seen('a', t0), false);
    assert.equal(cache.seen('b', t0), false);
    assert.equal(cache.seen('a', t0 + 1), true);
  });

  it('forgets a key once its window has passed, counted from the first sighting', () => {
    const cache = new IdempotencyCache({ maxEntries: 100, windowMs: 60_000 });
    assert.equal(cache.seen('k', t0), false);
    assert.equal(cache.seen('k', t0 + 59_999), true);
    assert.equal(cache.seen('k', t0 + 60_000), false);
  });

  it('expires old keys as time moves on, so memory follows the window', () => {
    const cache = new IdempotencyCache({ maxEntries: 1_000_000, windowMs: 1_000 });
    for (let i = 0; i < 5_000; i++) cache.seen(`k${i}`, t0 + i);
    assert.ok(cache.size <= 1_001, `size ${cache.size}`);
  });

  it('never holds more than maxEntries, evicting the oldest', () => {
    const cache = new IdempotencyCache({ maxEntries: 3, windowMs: 3_600_000 });
    for (const key of ['a', 'b', 'c', 'd']) cache.seen(key, t0);
    assert.equal(cache.size, 3);
    assert.equal(cache.seen('d', t0), true);
    assert.equal(cache.seen('a', t0), false, 'a was evicted');
  });

  it('forgets exactly the keys selected', () => {
    const cache = new IdempotencyCache({ maxEntries: 10, windowMs: 3_600_000 });
    for (const key of ['d1:s:1', 'd1:s:2', 'd10:s:1']) cache.seen(key, t0);
    assert.equal(
      cache.forgetWhere((key) => key.startsWith('d1:')),
      2,
    );
    assert.equal(cache.seen('d1:s:1', t0), false);
    assert.equal(cache.seen('d10:s:1', t0), true);
  });

  it('refuses nonsense limits', () => {
    assert.throws(() => new IdempotencyCache({ maxEntries: 0, windowMs: 1 }), RangeError);
    assert.throws(() => new IdempotencyCache({ maxEntries: 1, windowMs: Number.NaN }), RangeError);
  });
});
