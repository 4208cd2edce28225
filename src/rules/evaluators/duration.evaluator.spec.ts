import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { DurationRule } from '#src/contracts/rule-definition.js';
import type { ExcursionState } from '#src/state/rule-state.js';
import { evaluateDuration } from './duration.evaluator.js';
import { events, minute, steady, trace, type Step } from './rule-trace.testing.js';

const base: DurationRule = {
  id: 'temperature-high',
  kind: 'duration',
  field: 'temperatureC',
  band: { max: 4 },
  raiseAfterMin: 15,
  maxGapMin: 5,
  clear: { margin: 0.5, delayMin: 10 },
  severity: {
    base: 'warning',
    escalations: [
      { severity: 'critical', afterMin: 30 },
      { severity: 'critical', beyond: 3 },
    ],
  },
};

const run = (steps: readonly Step[], definition: DurationRule = base) =>
  trace<ExcursionState>((s, r) => evaluateDuration(definition, s, r), 'temperatureC', steps);

void describe(evaluateDuration.name, () => {
  const cases: { name: string; steps: Step[]; expect: string[]; definition?: DurationRule }[] = [
    { name: 'exactly 15 min out raises (inclusive)', steps: steady(0, 15, 5), expect: ['raise:warning@15'] },
    { name: '14 min out does not raise', steps: steady(0, 14, 5), expect: [] },
    { name: 'exactly at the limit never starts an excursion', steps: steady(0, 30, 4), expect: [] },
    {
      name: 'a reading back in range before the raise ends the excursion',
      steps: [...steady(0, 10, 5), [11, 3], ...steady(12, 27, 5)],
      expect: ['raise:warning@27'],
    },
    {
      name: 'a reading in the hysteresis band before the raise also ends it',
      steps: [...steady(0, 10, 5), [11, 3.8], ...steady(12, 26, 5), [27, 5]],
      expect: ['raise:warning@27'],
    },
    {
      name: 'a gap up to maxGapMin is bridged',
      steps: [
        [0, 5],
        [5, 5],
        [10, 5],
        [15, 5],
      ],
      expect: ['raise:warning@15'],
    },
    {
      name: 'a gap over maxGapMin restarts the pending excursion after it',
      steps: [
        [0, 5],
        [4, 5],
        [10, 5],
        [15, 5],
        [20, 5],
        [25, 5],
      ],
      expect: ['raise:warning@25'],
    },
    {
      name: 'escalates to critical once the excursion has lasted 30 min',
      steps: steady(0, 31, 5),
      expect: [
        'raise:warning@15',
        ...Array.from({ length: 14 }, (_, i) => `update:warning@${16 + i}`),
        'update:critical@30',
        'update:critical@31',
      ],
    },
    {
      name: 'escalates at once when 3 °C beyond the limit',
      steps: [...steady(0, 15, 5), [16, 7]],
      expect: ['raise:warning@15', 'update:critical@16'],
    },
    {
      name: 'raises critical directly when the peak was already 3 °C beyond',
      steps: [[0, 5], [1, 8], ...steady(2, 15, 5)],
      expect: ['raise:critical@15'],
    },
    {
      name: 'clears only after 10 min under 3.5 °C',
      steps: [...steady(0, 15, 5), ...steady(16, 26, 3.4)],
      expect: ['raise:warning@15', 'clear@26'],
    },
    {
      name: 'a reading inside the hysteresis band restarts the clear delay',
      steps: [...steady(0, 15, 5), ...steady(16, 20, 3.4), [21, 3.8], ...steady(22, 32, 3.4)],
      expect: ['raise:warning@15', 'clear@32'],
    },
    {
      name: 'a gap while clearing restarts the clear delay',
      steps: [...steady(0, 15, 5), [16, 3.4], [22, 3.4], [26, 3.4], [30, 3.4], [32, 3.4]],
      expect: ['raise:warning@15', 'clear@32'],
    },
    {
      name: 'late and duplicate readings neither double count nor re-open',
      steps: [...steady(0, 15, 5), [15, 5], [10, 5], ...steady(16, 26, 3), [20, 9], [27, 3]],
      expect: ['raise:warning@15', 'clear@26'],
    },
    {
      name: 'a defrost window lifts the limit by 3 °C: 6.5 °C tolerated, 7.5 °C not',
      definition: {
        ...base,
        grace: [{ reason: 'defrost', fromMs: minute(0), toMs: minute(40), toleranceAbove: 3 }],
      },
      steps: [...steady(0, 20, 6.5), ...steady(21, 36, 7.5)],
      expect: ['raise:critical@36'],
    },
    {
      name: 'after the grace window the excursion starts from its end',
      definition: { ...base, grace: [{ reason: 'warm-up', fromMs: minute(0), toMs: minute(20) }] },
      steps: steady(0, 35, 8),
      expect: ['raise:critical@35'],
    },
  ];
  for (const c of cases) {
    void it(c.name, () => {
      assert.deepEqual(events(run(c.steps, c.definition).labels), c.expect);
    });
  }

  void it('dates the raise at the reading that completes the duration and says how long', () => {
    const { outcomes } = run(steady(0, 15, 5));
    assert.deepEqual(outcomes[15], {
      kind: 'raise',
      severity: 'warning',
      value: 5,
      message: 'temperatureC 5 above 4 for 15 min',
      at: minute(15),
    });
  });

  void it('resumes from a persisted state as if never stopped (restart mid-excursion)', () => {
    const first = run(steady(0, 8, 5));
    const persisted = JSON.parse(JSON.stringify(first.state)) as ExcursionState;
    const second = trace<ExcursionState>(
      (s, r) => evaluateDuration(base, s, r),
      'temperatureC',
      steady(9, 16, 5),
      persisted,
    );
    assert.deepEqual(events(first.labels), []);
    assert.deepEqual(events(second.labels), ['raise:warning@15', 'update:warning@16']);
  });
});
