import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MigrateStoreError } from './migrate-store.error.js';
import { toTarget } from './row-values.js';

const DOOR = { name: 'door_open', type: 'boolean', identity: false };
const LAG = { name: 'lag_ms', type: 'bigint', identity: false };

describe(toTarget.name, () => {
  it("turns SQLite's 0 and 1 into booleans for a boolean column, and keeps NULL", () => {
    assert.equal(toTarget(1, DOOR, 'readings'), true);
    assert.equal(toTarget(0, DOOR, 'readings'), false);
    assert.equal(toTarget(null, DOOR, 'readings'), null);
  });

  it('refuses any other value in a boolean column, naming the table and column', () => {
    assert.throws(
      () => toTarget(2, DOOR, 'readings'),
      (e: Error) => e instanceof MigrateStoreError && /readings\.door_open holds 2/.test(e.message),
    );
  });

  it('passes other values as they are', () => {
    assert.equal(toTarget(1_765_000_000_000, LAG, 'readings'), 1_765_000_000_000);
    assert.equal(
      toTarget('{"tempMaxC":5}', { name: 'overrides', type: 'text', identity: false }, 'shipments'),
      '{"tempMaxC":5}',
    );
  });
});
