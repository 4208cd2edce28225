import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UnprocessedIds } from './unprocessed-ids.js';

const ids = (...list: number[]) => list.map((id) => ({ id }));

describe(UnprocessedIds.name, () => {
  it('counts off what is stored once, however often it is told', () => {
    const waiting = new UnprocessedIds();
    waiting.add(ids(1, 2, 3));
    waiting.add(ids(4, 5));
    waiting.storedUpTo(3);
    assert.equal(waiting.count, 2);
    waiting.storedUpTo(3);
    waiting.storedUpTo(2);
    assert.equal(waiting.count, 2, 'told again, or less: nothing more counted off');
    waiting.storedUpTo(5);
    assert.equal(waiting.count, 0);
  });

  it('counts a part of a group, and skips ids never written (a failed write)', () => {
    const waiting = new UnprocessedIds();
    waiting.add(ids(1, 2, 3, 4));
    waiting.add(ids(8, 9, 11));
    assert.equal(waiting.count, 7);
    waiting.storedUpTo(2);
    assert.equal(waiting.count, 5);
    waiting.storedUpTo(9);
    assert.equal(waiting.count, 1, 'ids 5 to 7 and 10 were never waiting');
    waiting.storedUpTo(20);
    assert.equal(waiting.count, 0);
  });
});
