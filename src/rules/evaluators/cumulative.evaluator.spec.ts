import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CumulativeRule } from '#src/contracts/rule-definition.js';
import type { CumulativeState } from '#src/state/rule-state.js';
import { evaluateCumulative } from './cumulative.evaluator.js';
import { events, minute, steady, trace, type Step } from './rule-trace.testing.js';

const budget30: CumulativeRule = {
  id: 'temperature-cumulative',
  kind: 'cumulative',
  field: 'temperatureC',
  band: { min: 0, max: 4 },
  budgetMin: 30,
  maxGapMin: 10,
  severity: { base: 'warning', escalations: [{ severity: 'critical', afterMin: 60 }] },
};

const run = (steps: readonly Step[], definition: CumulativeRule = budget30) =>
  trace<CumulativeState>((s, r) => evaluateCumulative(definition, s, r), 'temperatureC', steps);

/**
 * Three 10-minute excursions separated by in-range periods: 10 + 10 + 10 = 30 min (a reading's
 * state holds until the next reading, so out at 0…9 and back in at 10 is 10 min).
 */
const threeExcursions: Step[] = [
  ...steady(0, 9, 5),
  ...steady(10, 20, 3),
  ...steady(21, 30, 5),
  ...steady(31, 40, 3),
  ...steady(41, 50, 5),
  [51, 3],
];

void describe(evaluateCumulative.name, () => {
  const cases: { name: string; steps: Step[]; expect: string[]; definition?: CumulativeRule }[] = [
    {
      name: 'separate excursions add up; exactly the budget raises',
      steps: threeExcursions,
      expect: ['raise:warning@51'],
    },
    {
      name: 'values exactly at the limits never count',
      steps: [...steady(0, 50, 4), ...steady(51, 100, 0)],
      expect: [],
    },
    {
      name: 'the first out-of-range reading counts from itself, not before',
      steps: [...steady(0, 29, 3), ...steady(30, 59, 5)],
      expect: [],
    },
    {
      name: 'a gap after an out-of-range reading counts for at most maxGapMin',
      steps: [
        [0, 5],
        [60, 5],
        [70, 5],
        [80, 5],
        [81, 3],
      ],
      expect: ['raise:warning@80'],
    },
    {
      name: 'a gap after an in-range reading does not count',
      steps: [
        [0, 3],
        [60, 5],
        [70, 5],
        [80, 5],
      ],
      expect: [],
    },
    {
      name: 'escalates when the total reaches 60 min, never clears',
      steps: [...steady(0, 61, 5), ...steady(62, 200, 3)],
      expect: [
        'raise:warning@30',
        ...Array.from({ length: 29 }, (_, i) => `update:warning@${31 + i}`),
        'update:critical@60',
        'update:critical@61',
      ],
    },
    {
      name: 'late and duplicate readings are not counted twice',
      steps: [...steady(0, 20, 5), [20, 5], [10, 5], [5, 5], ...steady(21, 29, 5), [30, 3]],
      expect: ['raise:warning@30'],
    },
    {
      name: 'tolerated readings in a grace window do not count',
      definition: {
        ...budget30,
        grace: [{ reason: 'defrost', fromMs: minute(0), toMs: minute(30), toleranceAbove: 3 }],
      },
      steps: [...steady(0, 29, 6), ...steady(30, 59, 5), [60, 5]],
      expect: ['raise:warning@60'],
    },
  ];
  for (const c of cases) {
    void it(c.name, () => {
      assert.deepEqual(events(run(c.steps, c.definition).labels), c.expect);
    });
  }

  void it('raises on an in-range reading when the held out-of-range time reached the budget, with the held value', () => {
    const { outcomes } = run([
      [0, 6],
      [10, 6],
      [20, 6],
      [30, 3],
    ]);
    assert.deepEqual(
      outcomes.map((o) => o.kind),
      ['none', 'none', 'none', 'raise'],
    );
    assert.equal(outcomes[3]?.kind === 'raise' && outcomes[3].value, 6);
  });

  void it('keeps the total in its state', () => {
    assert.equal(run(threeExcursions).state?.outMs, 30 * 60_000);
  });
});
