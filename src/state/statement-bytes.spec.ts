import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StatementBytes } from './statement-bytes.js';

describe(StatementBytes.name, () => {
  it('cuts each parameter out of one buffer, with 1-based offsets and -1 for a null part', () => {
    const bytes = new StatementBytes();
    const a = bytes.parts([Buffer.from([1, 2]), null, Buffer.from([3])]);
    const b = bytes.parts([Buffer.from([9, 8, 7])]);
    assert.deepEqual([...a.blob], [1, 2, 3]);
    assert.deepEqual(a.at, [1, 3, 3]);
    assert.deepEqual(a.length, [2, -1, 1]);
    assert.deepEqual([...b.blob], [9, 8, 7]);
    assert.deepEqual(b.at, [1]);
  });

  it('keeps the parameters taken before when it grows, and reuses its buffer after a reset', () => {
    const bytes = new StatementBytes();
    const small = bytes.parts([Buffer.alloc(4, 1)]);
    const large = bytes.parts([Buffer.alloc(4096, 2)]);
    assert.deepEqual([...small.blob], [1, 1, 1, 1], 'the first parameter is intact after the growth');
    assert.equal(large.blob.length, 4096);
    bytes.reset();
    const again = bytes.parts([Buffer.alloc(16, 3)]);
    assert.equal(again.blob.buffer, large.blob.buffer, 'the same memory, no new buffer');
    assert.deepEqual([...again.blob], Array(16).fill(3));
  });
});
