import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { BatteryLowRule } from '#src/contracts/rule-definition.js';
import type { ExcursionState } from '#src/state/rule-state.js';
import { evaluateBatteryLow } from './battery-low.evaluator.js';
import { trace, type Step } from './rule-trace.testing.js';

const battery: BatteryLowRule = {
  id: 'battery-low',
  kind: 'battery-low',
  field: 'batteryPct',
  lowPct: 20,
  clearMarginPct: 5,
  severity: { base: 'warning', escalations: [{ severity: 'critical', beyond: 10 }] },
};

const run = (steps: readonly Step[]) =>
  trace<ExcursionState>((s, r) => evaluateBatteryLow(battery, s, r), 'batteryPct', steps).labels;

void describe(evaluateBatteryLow.name, () => {
  const cases: { name: string; steps: Step[]; expect: string[] }[] = [
    { name: 'exactly 20 % is not low', steps: [[0, 20]], expect: ['-'] },
    { name: 'below 20 % raises', steps: [[0, 19]], expect: ['raise:warning@0'] },
    {
      name: 'jitter around the limit does not flap',
      steps: [
        [0, 19],
        [1, 21],
        [2, 19],
        [3, 24],
        [4, 18],
      ],
      expect: ['raise:warning@0', '-', 'update:warning@2', '-', 'update:warning@4'],
    },
    {
      name: 'clears at 25 % (limit + margin)',
      steps: [
        [0, 19],
        [1, 25],
      ],
      expect: ['raise:warning@0', 'clear@1'],
    },
    {
      name: 'a battery swap clears at once',
      steps: [
        [0, 12],
        [60, 100],
      ],
      expect: ['raise:warning@0', 'clear@60'],
    },
    {
      name: 'critical at 10 % (10 below the limit)',
      steps: [
        [0, 15],
        [1, 10],
      ],
      expect: ['raise:warning@0', 'update:critical@1'],
    },
    {
      name: 'a late reading does not re-open',
      steps: [
        [0, 15],
        [5, 90],
        [3, 14],
      ],
      expect: ['raise:warning@0', 'clear@5', '-'],
    },
  ];
  for (const c of cases) {
    void it(c.name, () => {
      assert.deepEqual(run(c.steps), c.expect);
    });
  }
});
