import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fleetOrder } from './fleet-order.js';

describe(fleetOrder.name, () => {
  const ids = Array.from({ length: 10_000 }, (_, i) => 2 * i);

  it('keeps every device once, in the same order from run to run', () => {
    const order = fleetOrder(ids);
    assert.deepEqual(
      [...order].sort((a, b) => a - b),
      ids,
    );
    assert.deepEqual(fleetOrder(ids), order);
  });

  it('scatters neighbouring ids: few consecutive devices are neighbours in id order', () => {
    const order = fleetOrder(ids);
    let neighbours = 0;
    for (let k = 1; k < order.length; k++) if (Math.abs(order[k] - order[k - 1]) <= 2 * 8) neighbours += 1;
    // In id order every pair is; scattered, about 16 in 10,000 by chance.
    assert.ok(neighbours < 100, `${neighbours} consecutive pairs within 8 ids`);
  });
});
