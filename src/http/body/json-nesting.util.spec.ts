import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nestsDeeperThan } from './json-nesting.util.js';

const nested = (levels: number) => Buffer.from('['.repeat(levels) + ']'.repeat(levels));

describe(nestsDeeperThan.name, () => {
  it('counts objects and arrays alike, up to the limit inclusive', () => {
    assert.equal(nestsDeeperThan(nested(3), 3), false);
    assert.equal(nestsDeeperThan(nested(4), 3), true);
    assert.equal(nestsDeeperThan(Buffer.from('{"a":{"b":[{"c":1}]}}'), 4), false);
    assert.equal(nestsDeeperThan(Buffer.from('{"a":{"b":[{"c":[]}]}}'), 4), true);
  });

  it('measures depth, not the number of brackets: siblings do not add up', () => {
    assert.equal(nestsDeeperThan(Buffer.from(`[${'[1],'.repeat(1000)}[2]]`), 2), false);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    assert.equal(nestsDeeperThan(Buffer.from(`{"a":"${'[{'.repeat(100)}"}`), 1), false);
    assert.equal(nestsDeeperThan(Buffer.from(`{"a":"\\"[[[[","b":"\\\\"}`), 1), false);
    assert.equal(nestsDeeperThan(Buffer.from(`{"a":"\\\\",  "b":[[]]}`), 2), true);
  });

  it('reads 50,000 levels without recursion', () => {
    assert.equal(nestsDeeperThan(nested(50_000), 32), true);
  });
});
