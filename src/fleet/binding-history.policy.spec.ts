import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideBind } from './binding-history.policy.js';
import type { DeviceBinding } from './fleet.types.js';

const H = 3_600_000;
const binding = (containerId: string, boundAt: number, unboundAt?: number): DeviceBinding => ({
  deviceId: 'd-1',
  containerId,
  boundAt,
  ...(unboundAt !== undefined && { unboundAt }),
});

describe(decideBind.name, () => {
  it('appends after the end of the history, or to a device never bound', () => {
    assert.deepEqual(decideBind([], 'C', 5 * H), { kind: 'append' });
    assert.deepEqual(decideBind([binding('A', H)], 'C', 2 * H), { kind: 'append' });
    assert.deepEqual(decideBind([binding('C', H, 2 * H)], 'C', 3 * H), { kind: 'append' });
  });

  it('moves the newest binding earlier, on its own container: bound without `at`, then fixed', () => {
    assert.deepEqual(decideBind([binding('C', 10 * H)], 'C', 9 * H), { kind: 'extend' });
    // After an unbind, made in trying to fix it: reopened from the earlier time.
    assert.deepEqual(decideBind([binding('C', 10 * H, 11 * H)], 'C', 9 * H), { kind: 'extend' });
    // Back to the end of the binding before it, not past it.
    const history = [binding('A', H, 5 * H), binding('C', 10 * H)];
    assert.deepEqual(decideBind(history, 'C', 5 * H), { kind: 'extend' });
    const past = decideBind(history, 'C', 4 * H);
    assert.equal(past.kind, 'overlaps');
    assert.match(past.kind === 'overlaps' ? past.detail : '', /back to 1970-01-01T05:00:00.000Z/);
  });

  it('changes nothing for the container the device is on from then on', () => {
    assert.deepEqual(decideBind([binding('C', 10 * H)], 'C', 10 * H), { kind: 'already-bound' });
    assert.deepEqual(decideBind([binding('C', 10 * H)], 'C', 12 * H), { kind: 'already-bound' });
  });

  it('refuses to rewrite history for another container, with the rule in the detail', () => {
    const decision = decideBind([binding('A', H, 5 * H), binding('B', 5 * H)], 'A', 2 * H);
    assert.equal(decision.kind, 'overlaps');
    assert.match(
      decision.kind === 'overlaps' ? decision.detail : '',
      /after 1970-01-01T05:00:00.000Z.*only its newest binding \(container B\) can be moved earlier/,
    );
  });
});
