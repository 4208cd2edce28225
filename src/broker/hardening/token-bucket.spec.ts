import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TokenBucket } from './token-bucket.js';

void describe(TokenBucket.name, () => {
  void it('allows the burst, then the sustained rate', () => {
    const bucket = new TokenBucket(2, 3, 0);
    assert.deepEqual(
      [bucket.take(0), bucket.take(0), bucket.take(0), bucket.take(0)],
      [true, true, true, false],
    );
    assert.equal(bucket.take(499), false);
    assert.equal(bucket.take(500), true);
  });

  void it('treats rate 0 as unlimited', () => {
    const bucket = new TokenBucket(0, 0, 0);
    for (let i = 0; i < 10_000; i++) assert.equal(bucket.take(0), true);
  });
});
