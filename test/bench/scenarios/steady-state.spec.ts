import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stepWindowSeconds } from './steady-state.js';

describe(stepWindowSeconds.name, () => {
  it('rounds a step up to whole checkpoint intervals', () => {
    assert.equal(stepWindowSeconds(10, 5000), 10);
    assert.equal(stepWindowSeconds(8, 5000), 10);
    assert.equal(stepWindowSeconds(10, 30_000), 30);
    assert.equal(stepWindowSeconds(31, 30_000), 60);
    assert.equal(stepWindowSeconds(5, 7500), 7.5);
  });

  it('leaves a target without checkpoints (a bare broker) at the asked length', () => {
    assert.equal(stepWindowSeconds(8, 0), 8);
  });
});
