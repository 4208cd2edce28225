import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RepeatingRule } from '#src/contracts/rule-definition.js';
import type { ExcursionState } from '#src/state/rule-state.js';
import { evaluateRepeating } from './repeating.evaluator.js';
import { trace, type Step } from './rule-trace.testing.js';

const three: RepeatingRule = {
  id: 'humidity-high',
  kind: 'repeating',
  field: 'humidityPct',
  band: { max: 95 },
  count: 3,
  severity: { base: 'info', escalations: [{ severity: 'warning', afterMin: 10 }] },
};

const run = (definition: RepeatingRule, steps: readonly Step[]) =>
  trace<ExcursionState>((s, r) => evaluateRepeating(definition, s, r), 'humidityPct', steps).labels;

void describe(evaluateRepeating.name, () => {
  const cases: { name: string; definition: RepeatingRule; steps: Step[]; expect: string[] }[] = [
    {
      name: 'the third reading in a row raises',
      definition: three,
      steps: [
        [0, 96],
        [1, 96],
        [2, 96],
      ],
      expect: ['-', '-', 'raise:info@2'],
    },
    {
      name: 'values exactly at the limit do not count',
      definition: three,
      steps: [
        [0, 95],
        [1, 95],
        [2, 95],
      ],
      expect: ['-', '-', '-'],
    },
    {
      name: 'one reading in range resets the run',
      definition: three,
      steps: [
        [0, 96],
        [1, 96],
        [2, 90],
        [3, 96],
        [4, 96],
        [5, 96],
      ],
      expect: ['-', '-', '-', '-', '-', 'raise:info@5'],
    },
    {
      name: 'a duplicate reading is not counted twice',
      definition: three,
      steps: [
        [0, 96],
        [1, 96],
        [1, 96],
        [2, 96],
      ],
      expect: ['-', '-', '-', 'raise:info@2'],
    },
    {
      name: 'without maxGapMin, time between readings does not matter',
      definition: three,
      steps: [
        [0, 96],
        [60, 96],
        [120, 96],
      ],
      expect: ['-', '-', 'raise:warning@120'],
    },
    {
      name: 'with maxGapMin, a longer gap restarts the run',
      definition: { ...three, maxGapMin: 5 },
      steps: [
        [0, 96],
        [1, 96],
        [10, 96],
        [11, 96],
        [12, 96],
      ],
      expect: ['-', '-', '-', '-', 'raise:info@12'],
    },
    {
      name: 'escalates when the run lasts 10 min',
      definition: three,
      steps: [
        [0, 96],
        [1, 96],
        [2, 96],
        [9, 96],
        [10, 96],
      ],
      expect: ['-', '-', 'raise:info@2', 'update:info@9', 'update:warning@10'],
    },
  ];
  for (const c of cases) {
    void it(c.name, () => {
      assert.deepEqual(run(c.definition, c.steps), c.expect);
    });
  }
});
