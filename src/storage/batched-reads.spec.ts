import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BatchedReads, MAX_KEYS_PER_READ } from './batched-reads.js';

/** A store whose queries complete when the test says, recording the keys each one asked. */
function heldStore() {
  const queries: { keys: number[]; done: (fail?: Error) => void }[] = [];
  const readMany = (keys: number[]) =>
    new Promise<ReadonlyMap<number, string>>((resolve, reject) => {
      queries.push({
        keys,
        done: (fail) =>
          fail ? reject(fail) : resolve(new Map(keys.filter((k) => k % 2 === 0).map((k) => [k, `v${k}`]))),
      });
    });
  return { queries, readMany };
}

const turn = () => new Promise((r) => setImmediate(r));

describe(BatchedReads.name, () => {
  it('sends a read at once, and the reads asked meanwhile together in the next query', async () => {
    const store = heldStore();
    const reads = new BatchedReads(store.readMany, 1);
    const first = reads.read(2);
    assert.deepEqual(
      store.queries.map((q) => q.keys),
      [[2]],
    );
    const later = [reads.read(4), reads.read(5), reads.read(4)];
    assert.equal(store.queries.length, 1);
    store.queries[0].done();
    assert.equal(await first, 'v2');
    await turn();
    assert.deepEqual(store.queries[1].keys, [4, 5]);
    store.queries[1].done();
    assert.deepEqual(await Promise.all(later), ['v4', undefined, 'v4']);
  });

  it('keeps at most maxInFlight queries in flight and bounds the keys of one', async () => {
    const store = heldStore();
    const reads = new BatchedReads(store.readMany, 2);
    const all = Array.from({ length: 2 + MAX_KEYS_PER_READ + 10 }, (_, i) => reads.read(i * 2));
    const lengths = () => store.queries.map((q) => q.keys.length);
    assert.deepEqual(lengths(), [1, 1]);
    store.queries[0].done();
    await turn();
    assert.deepEqual(lengths(), [1, 1, MAX_KEYS_PER_READ]);
    store.queries[1].done();
    await turn();
    assert.deepEqual(lengths(), [1, 1, MAX_KEYS_PER_READ, 10]);
    store.queries[2].done();
    store.queries[3].done();
    assert.equal((await Promise.all(all)).filter((v) => v !== undefined).length, all.length);
  });

  it('rejects the reads of a failed query only, and goes on with the next', async () => {
    const store = heldStore();
    const reads = new BatchedReads(store.readMany, 1);
    const failed = reads.read(2);
    const next = reads.read(4);
    store.queries[0].done(new Error('store away'));
    await assert.rejects(failed, /store away/);
    await turn();
    store.queries[1].done();
    assert.equal(await next, 'v4');
  });
});
