import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { IdempotencyCache, KeySighting } from './idempotency-cache.js';

describe(IdempotencyCache.name, () => {
  const t0 = Date.UTC(2026, 10, 22, 8, 0, 0);

  it('lets the same uplink through once when it arrives 3 times', () => {
    const cache = new IdempotencyCache({ maxEntries: 100, windowMs: 60_000 });
    const verdicts = [t0, t0 + 40, t0 + 2_000].map((at) => cache.seen('0101010101010101:7:1', at));
    assert.deepEqual(verdicts, [false, true, true]);
  });

  it('tells a key seen again with its first fingerprint from one seen with another', () => {
    const cache = new IdempotencyCache({ maxEntries: 10_000, windowMs: 60_000 });
    assert.equal(cache.check('d:t:1', 0xdeadbeef, t0), KeySighting.New);
    assert.equal(cache.check('d:t:1', 0xdeadbeef, t0 + 1), KeySighting.Same);
    assert.equal(cache.check('d:t:1', 7, t0 + 2), KeySighting.Different);
    // The first fingerprint stays, through a resize too.
    for (let i = 0; i < 2000; i++) cache.check(`k${i}`, i, t0 + 3);
    assert.equal(cache.check('d:t:1', 7, t0 + 4), KeySighting.Different);
    assert.equal(cache.check('d:t:1', 0xdeadbeef, t0 + 5), KeySighting.Same);
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

  it('forgets exactly the keys of an owner', () => {
    const cache = new IdempotencyCache({ maxEntries: 10, windowMs: 3_600_000 });
    cache.seen('d1:s:1', t0, 'd1');
    cache.seen('0004a30b001c0530:7:1', t0, 'd1');
    cache.seen('d10:s:1', t0, 'd10');
    assert.equal(cache.forgetOwner('d1'), 2);
    assert.equal(cache.size, 1);
    assert.equal(cache.seen('d1:s:1', t0), false);
    assert.equal(cache.seen('0004a30b001c0530:7:1', t0), false);
    assert.equal(cache.seen('d10:s:1', t0), true);
  });

  it('answers as a Map of first sightings would, through growth, expiry and eviction', () => {
    const maxEntries = 50;
    const windowMs = 1000;
    fc.assert(
      fc.property(
        fc.array(fc.record({ key: fc.nat(120), step: fc.nat(60), owner: fc.nat(3), forget: fc.nat(40) }), {
          minLength: 200,
          maxLength: 600,
        }),
        (ops) => {
          const cache = new IdempotencyCache({ maxEntries, windowMs });
          const model = new Map<string, { at: number; owner: number }>();
          let now = t0;
          for (const op of ops) {
            now += op.step;
            if (op.forget === 0) {
              cache.forgetOwner(`o${op.owner}`);
              for (const [k, v] of model) if (v.owner === op.owner) model.delete(k);
              continue;
            }
            for (const [k, v] of model) {
              if (v.at > now - windowMs) break;
              model.delete(k);
            }
            const key = `k${op.key}`;
            const expected = model.has(key);
            if (!expected) {
              model.set(key, { at: now, owner: op.owner });
              if (model.size > maxEntries) model.delete(model.keys().next().value!);
            }
            assert.equal(cache.seen(key, now, `o${op.owner}`), expected);
            assert.equal(cache.size, model.size);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps every key while it grows, and forgets the oldest once at maxEntries', () => {
    const cache = new IdempotencyCache({ maxEntries: 3000, windowMs: 3_600_000 });
    for (let i = 0; i < 3000; i++) assert.equal(cache.seen(`key-${i}`, t0 + i), false);
    for (let i = 0; i < 3000; i++) assert.equal(cache.seen(`key-${i}`, t0 + 3000), true, `key-${i}`);
    assert.equal(cache.seen('one-more', t0 + 3000), false);
    assert.equal(cache.size, 3000);
    assert.equal(cache.seen('key-0', t0 + 3000), false, 'the oldest was evicted');
  });

  it('refuses nonsense limits', () => {
    assert.throws(() => new IdempotencyCache({ maxEntries: 0, windowMs: 1 }), RangeError);
    assert.throws(() => new IdempotencyCache({ maxEntries: 1, windowMs: Number.NaN }), RangeError);
  });
});
