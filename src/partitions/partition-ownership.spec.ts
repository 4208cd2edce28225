import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { partitionOf } from '#src/contracts/partition.js';
import { PartitionOwnership } from './partition-ownership.js';

describe(PartitionOwnership.name, () => {
  it('owns every partition on one node', () => {
    const all = PartitionOwnership.all(8);
    assert.equal(all.ownsAll, true);
    assert.deepEqual(all.owned(), [0, 1, 2, 3, 4, 5, 6, 7]);
    assert.equal(all.owns(7), true);
  });

  it('owns only the partitions of a lease', () => {
    const lease = PartitionOwnership.of(8, [6, 1, 6]);
    assert.equal(lease.ownsAll, false);
    assert.deepEqual(lease.owned(), [1, 6]);
    assert.equal(lease.owns(1), true);
    assert.equal(lease.owns(2), false);
    assert.equal(PartitionOwnership.of(2, [0, 1]).ownsAll, true, 'a lease on every partition');
  });

  it('refuses a partition the data does not have', () => {
    assert.throws(() => PartitionOwnership.of(8, [8]), /partition 8 is not one of 0 to 7/);
    assert.throws(() => PartitionOwnership.of(8, [-1]), RangeError);
    assert.throws(() => PartitionOwnership.of(8, [1.5]), RangeError);
  });

  it("places a container in its partition among the data's count", () => {
    assert.equal(PartitionOwnership.all(64).partitionOf('REEFER-002'), partitionOf('REEFER-002', 64));
    assert.equal(PartitionOwnership.all(7).partitionOf('REEFER-002'), partitionOf('REEFER-002', 7));
  });

  it('changes at run time as leases are taken and given up', () => {
    const ownership = PartitionOwnership.of(4, [1]);
    ownership.take([2, 3, 2]);
    assert.deepEqual(ownership.owned(), [1, 2, 3]);
    assert.equal(ownership.ownsAll, false);
    ownership.take([0]);
    assert.equal(ownership.ownsAll, true, 'every partition taken');
    ownership.give([1, 1]);
    assert.deepEqual(ownership.owned(), [0, 2, 3]);
    assert.equal(ownership.owns(1), false);
    assert.equal(ownership.ownsAll, false, 'no longer every partition');
    ownership.give([0, 2, 3]);
    assert.deepEqual(ownership.owned(), []);
    assert.equal(PartitionOwnership.all(3).ownsAll, true);
  });

  it('refuses a bad partition in a change and leaves the set as it was', () => {
    const ownership = PartitionOwnership.of(4, [1]);
    assert.throws(() => ownership.take([2, 4]), /partition 4 is not one of 0 to 3/);
    assert.throws(() => ownership.give([1, -1]), RangeError);
    assert.deepEqual(ownership.owned(), [1]);
  });
});
