import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { HysteresisRule } from '#src/contracts/rule-definition.js';
import type { ExcursionState } from '#src/state/rule-state.js';
import { evaluateHysteresis } from './hysteresis.evaluator.js';
import { trace, type Step } from './rule-trace.testing.js';

const high: HysteresisRule = {
  id: 'temperature-high',
  kind: 'hysteresis',
  field: 'temperatureC',
  band: { max: 8 },
  clear: { margin: 2, delayMin: 5 },
  severity: { base: 'warning' },
};
const low: HysteresisRule = {
  ...high,
  id: 'temperature-low',
  band: { min: 2 },
  clear: { margin: 1, delayMin: 0 },
};

const run = (definition: HysteresisRule, steps: readonly Step[]) =>
  trace<ExcursionState>((s, r) => evaluateHysteresis(definition, s, r), 'temperatureC', steps).labels;

void describe(evaluateHysteresis.name, () => {
  const cases: { name: string; definition: HysteresisRule; steps: Step[]; expect: string[] }[] = [
    {
      name: 'raise at X: exactly 8 is fine, 8.1 raises',
      definition: high,
      steps: [
        [0, 8],
        [1, 8.1],
      ],
      expect: ['-', 'raise:warning@1'],
    },
    {
      name: 'inside the hysteresis band (6 < v ≤ 8) it never clears',
      definition: high,
      steps: [
        [0, 9],
        [1, 7],
        [5, 7],
        [10, 6.1],
        [20, 6.1],
      ],
      expect: ['raise:warning@0', '-', '-', '-', '-'],
    },
    {
      name: 'exactly Y (6) counts as back in range; clears after Z minutes',
      definition: high,
      steps: [
        [0, 9],
        [1, 6],
        [3, 5],
        [5, 5],
        [6, 5],
      ],
      expect: ['raise:warning@0', '-', '-', '-', 'clear@6'],
    },
    {
      name: 'going out again during the clear delay updates and restarts it',
      definition: high,
      steps: [
        [0, 9],
        [1, 5],
        [4, 9],
        [5, 5],
        [9, 5],
        [10, 5],
      ],
      expect: ['raise:warning@0', '-', 'update:warning@4', '-', '-', 'clear@10'],
    },
    {
      name: 'a gap longer than the delay restarts it (we did not see it stay in range)',
      definition: high,
      steps: [
        [0, 9],
        [1, 5],
        [5, 5],
        [12, 5],
        [16, 5],
        [17, 5],
      ],
      expect: ['raise:warning@0', '-', '-', '-', '-', 'clear@17'],
    },
    {
      name: 'below-min variant with zero delay clears at min + margin',
      definition: low,
      steps: [
        [0, 1],
        [1, 2.5],
        [2, 3],
      ],
      expect: ['raise:warning@0', '-', 'clear@2'],
    },
    {
      name: 'late reading in range does not close, duplicate out does not update',
      definition: high,
      steps: [
        [0, 9],
        [2, 9],
        [1, 5],
        [2, 9],
        [3, 5],
        [8, 5],
      ],
      expect: ['raise:warning@0', 'update:warning@2', '-', '-', '-', 'clear@8'],
    },
  ];
  for (const c of cases) {
    void it(c.name, () => {
      assert.deepEqual(run(c.definition, c.steps), c.expect);
    });
  }
});
