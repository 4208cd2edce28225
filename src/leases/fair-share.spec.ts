import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fairShare, preferredOrder } from './fair-share.js';

describe(fairShare.name, () => {
  it('shares the partitions evenly, the first members taking the remainder', () => {
    assert.deepEqual(
      [0, 1, 2].map((r) => fairShare(64, 3, r)),
      [22, 21, 21],
    );
    assert.deepEqual(
      [0, 1, 2, 3].map((r) => fairShare(64, 4, r)),
      [16, 16, 16, 16],
    );
    assert.deepEqual(
      [0, 1].map((r) => fairShare(1, 2, r)),
      [1, 0],
    );
  });

  it('adds up to every partition for any member count', () => {
    for (const partitions of [1, 7, 64, 4096])
      for (let members = 1; members <= 9; members++) {
        let sum = 0;
        for (let rank = 0; rank < members; rank++) sum += fairShare(partitions, members, rank);
        assert.equal(sum, partitions, `${partitions} partitions over ${members} members`);
      }
  });

  it('refuses a rank outside the members', () => {
    assert.throws(() => fairShare(64, 3, 3), /rank 3 is not one of 3 members/);
    assert.throws(() => fairShare(64, 0, 0), RangeError);
  });
});

describe(preferredOrder.name, () => {
  it("starts at the member's own stretch and covers every partition once", () => {
    const order = preferredOrder(64, 3, 1);
    assert.equal(order[0], 22);
    assert.deepEqual(
      [...order].sort((a, b) => a - b),
      Array.from({ length: 64 }, (_, i) => i),
    );
    assert.equal(preferredOrder(2, 5, 4)[0], 0, 'more members than partitions');
  });
});
