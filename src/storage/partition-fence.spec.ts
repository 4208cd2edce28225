import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PartitionFence } from './partition-fence.js';

/** A fence enforcing, holding partition p at epochs[p], that records what it reports. */
function fenceHolding(epochs: Record<number, number>) {
  const fence = new PartitionFence();
  fence.hold(new Map(Object.entries(epochs).map(([p, e]) => [Number(p), e])));
  const reported: number[][] = [];
  fence.onFenced((partitions) => reported.push(partitions));
  return { fence, reported };
}

describe(PartitionFence.name, () => {
  it('writes everything unfenced on one node, where nothing is enforced', () => {
    const fence = new PartitionFence();
    const guard = fence.guard([0, 1]);
    assert.deepEqual(guard.settle([]), []);
  });

  it('refuses and gives up a partition the statement found at another epoch, keeps those at its own', () => {
    const { fence, reported } = fenceHolding({ 0: 3, 1: 5 });
    const guard = fence.guard([1, 0, 1]);
    assert.deepEqual(guard.touched, [0, 1]);
    assert.deepEqual(
      guard.settle([
        { partition: 0, epoch: 3 },
        { partition: 1, epoch: 6 },
      ]),
      [1],
    );
    assert.deepEqual(reported, [[1]]);
    assert.equal(fence.epochOf(1), undefined, 'its writes are refused from now on');
    assert.equal(fence.epochOf(0), 3);
  });

  it('refuses a partition whose epoch row is missing', () => {
    const { fence, reported } = fenceHolding({ 2: 1 });
    assert.deepEqual(fence.guard([2]).settle([]), [2]);
    assert.deepEqual(reported, [[2]]);
  });

  it('refuses a partition not held here without giving anything up (a partition being taken stays)', () => {
    const { fence, reported } = fenceHolding({});
    const guard = fence.guard([4]);
    // Taken meanwhile (the lease's bump, then hold): the refusal was of a write from before.
    fence.hold(new Map([[4, 9]]));
    assert.deepEqual(guard.settle([]), [4]);
    assert.deepEqual(reported, []);
    assert.equal(fence.epochOf(4), 9);
  });

  it('keeps a partition lost and taken back while a write of the older tenure was under way', () => {
    const { fence, reported } = fenceHolding({ 0: 1 });
    const guard = fence.guard([0]);
    fence.drop([0]);
    fence.hold(new Map([[0, 3]]));
    assert.deepEqual(guard.settle([{ partition: 0, epoch: 3 }]), [0], 'the old write refused');
    assert.deepEqual(reported, []);
    assert.equal(fence.epochOf(0), 3, 'the new tenure stands');
  });
});
