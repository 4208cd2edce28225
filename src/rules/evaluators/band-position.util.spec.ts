import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Band, GraceWindow } from '#src/contracts/rule-definition.js';
import { bandPosition, distanceOutside, type BandPosition } from './band-position.util.js';
import { minute } from './rule-trace.testing.js';

const defrost: GraceWindow = { reason: 'defrost', fromMs: minute(10), toMs: minute(40), toleranceAbove: 3 };
const warmUp: GraceWindow = { reason: 'warm-up', fromMs: minute(0), toMs: minute(10) };

void describe(bandPosition.name, () => {
  const cases: [string, number, number, Band, number, GraceWindow[], BandPosition][] = [
    ['exactly at max is inside', 4, 50, { max: 4 }, 0, [], 'in'],
    ['just above max is out', 4.01, 50, { max: 4 }, 0, [], 'out'],
    ['exactly at min is inside', 0, 50, { min: 0 }, 0, [], 'in'],
    ['inside the hysteresis band is near', 3.6, 50, { max: 4 }, 0.5, [], 'near'],
    ['exactly max − margin is in', 3.5, 50, { max: 4 }, 0.5, [], 'in'],
    ['near the min side too', 0.4, 50, { min: 0, max: 4 }, 0.5, [], 'near'],
    ['defrost tolerates up to max + 3', -15, 20, { max: -18 }, 0, [defrost], 'tolerated'],
    ['defrost does not tolerate beyond max + 3', -14.9, 20, { max: -18 }, 0, [defrost], 'out'],
    ['defrost does not lift the minimum', -2, 20, { min: 0, max: 4 }, 0, [defrost], 'out'],
    ['the window start is in grace', -16, 10, { max: -18 }, 0, [defrost], 'tolerated'],
    ['the window end is not', -16, 40, { max: -18 }, 0, [defrost], 'out'],
    ['warm-up tolerates any value', 25, 5, { min: 0, max: 4 }, 0, [warmUp], 'tolerated'],
  ];
  for (const [name, value, atMinute, band, margin, grace, expected] of cases) {
    void it(name, () => {
      assert.equal(bandPosition(value, minute(atMinute), band, margin, grace), expected);
    });
  }

  void it('measures the distance outside on either side', () => {
    assert.deepEqual(
      [7, -3, 2].map((v) => distanceOutside(v, { min: 0, max: 4 })),
      [3, 3, 0],
    );
  });
});
