import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SliceBudget } from './slice-budget.js';

describe(SliceBudget.name, () => {
  it('starts small and grows at most twofold per slice while slices stay under target', () => {
    const budget = new SliceBudget(4, 16, 256);
    assert.equal(budget.messages, 16);
    budget.record(16, 0.1);
    assert.equal(budget.messages, 32);
    budget.record(32, 0.1);
    budget.record(64, 0.1);
    budget.record(128, 0.1);
    assert.equal(budget.messages, 256);
    budget.record(256, 0.1);
    assert.equal(budget.messages, 256, 'never above the maximum');
  });

  it('shrinks at once to what fits the target when messages get dearer', () => {
    const budget = new SliceBudget(4, 16, 256);
    for (let i = 0; i < 5; i++) budget.record(budget.messages, 0.1);
    budget.record(256, 32); // 0.125 ms per message: 32 fit in 4 ms
    assert.equal(budget.messages, 32);
    budget.record(32, 100);
    assert.equal(budget.messages, 16, 'never below the minimum');
  });

  it('learns nothing from a short slice that stayed within target (the end of a batch)', () => {
    const budget = new SliceBudget(4, 16, 256);
    budget.record(16, 0.1);
    budget.record(3, 0.01);
    assert.equal(budget.messages, 32);
    budget.record(3, 10);
    assert.equal(budget.messages, 16, 'but a short slice over target does shrink it');
  });
});
