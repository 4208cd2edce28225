import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { takeSome } from './take-some.js';

describe(takeSome.name, () => {
  it('takes the oldest members, at most n, and leaves the rest', () => {
    const set = new Set(['a', 'b', 'c', 'd', 'e']);
    assert.deepEqual(takeSome(set, 2), ['a', 'b']);
    assert.deepEqual([...set], ['c', 'd', 'e']);
    assert.deepEqual(takeSome(set, 10), ['c', 'd', 'e']);
    assert.equal(set.size, 0);
  });
});
