import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Band, ThresholdRule } from '#src/contracts/rule-definition.js';
import type { ExcursionState } from '#src/state/rule-state.js';
import { evaluateThreshold } from './threshold.evaluator.js';
import { minute, trace, type Step } from './rule-trace.testing.js';

function rule(band: Band, extra: Partial<ThresholdRule> = {}): ThresholdRule {
  return {
    id: 'temperature-high',
    kind: 'threshold',
    field: 'temperatureC',
    band,
    severity: { base: 'warning', escalations: [{ severity: 'critical', beyond: 2 }] },
    ...extra,
  };
}

const run = (definition: ThresholdRule, steps: readonly Step[]) =>
  trace<ExcursionState>((s, r) => evaluateThreshold(definition, s, r), 'temperatureC', steps);

void describe(evaluateThreshold.name, () => {
  const cases: {
    name: string;
    band: Band;
    extra?: Partial<ThresholdRule>;
    steps: Step[];
    expect: string[];
  }[] = [
    {
      name: 'exactly at max is in range',
      band: { max: 4 },
      steps: [
        [0, 4],
        [1, 4],
      ],
      expect: ['-', '-'],
    },
    {
      name: 'just above max raises at once',
      band: { max: 4 },
      steps: [
        [0, 4],
        [1, 4.1],
      ],
      expect: ['-', 'raise:warning@1'],
    },
    {
      name: 'stays active with updates, clears at the first reading back in',
      band: { max: 4 },
      steps: [
        [0, 5],
        [1, 5.5],
        [2, 4],
      ],
      expect: ['raise:warning@0', 'update:warning@1', 'clear@2'],
    },
    {
      name: 'escalates to critical when 2 °C beyond, never back down',
      band: { max: 4 },
      steps: [
        [0, 5],
        [1, 6],
        [2, 5],
      ],
      expect: ['raise:warning@0', 'update:critical@1', 'update:critical@2'],
    },
    { name: 'exactly at min is in range', band: { min: 0 }, steps: [[0, 0]], expect: ['-'] },
    { name: 'below min raises', band: { min: 0 }, steps: [[0, -0.1]], expect: ['raise:warning@0'] },
    {
      name: 'outside a band on either side',
      band: { min: 0, max: 4 },
      steps: [
        [0, 2],
        [1, -1],
        [2, 2],
        [3, 7],
      ],
      expect: ['-', 'raise:warning@1', 'clear@2', 'raise:critical@3'],
    },
    {
      name: 'a reading without the field changes nothing',
      band: { max: 4 },
      steps: [
        [0, 5],
        [1, undefined],
        [2, 3],
      ],
      expect: ['raise:warning@0', '-', 'clear@2'],
    },
    {
      name: 'duplicate and late readings are ignored (no double raise, no re-open)',
      band: { max: 4 },
      steps: [
        [0, 5],
        [0, 5],
        [1, 3],
        [0.5, 6],
        [1, 6],
      ],
      expect: ['raise:warning@0', '-', 'clear@1', '-', '-'],
    },
    {
      name: 'with a clear policy it waits for margin and delay',
      band: { max: 4 },
      extra: { clear: { margin: 0.5, delayMin: 2 } },
      steps: [
        [0, 5],
        [1, 3.8],
        [2, 3.4],
        [3, 3.4],
        [4, 3.4],
      ],
      expect: ['raise:warning@0', '-', '-', '-', 'clear@4'],
    },
    {
      name: 'a warm-up grace window tolerates any value, then rules apply',
      band: { max: 4 },
      extra: { grace: [{ reason: 'warm-up', fromMs: minute(0), toMs: minute(30) }] },
      steps: [
        [0, 15],
        [29, 5],
        [30, 5],
      ],
      expect: ['-', '-', 'raise:warning@30'],
    },
  ];
  for (const c of cases) {
    void it(c.name, () => {
      assert.deepEqual(run(rule(c.band, c.extra), c.steps).labels, c.expect);
    });
  }

  void it('keeps the worst value of the excursion in its state', () => {
    const { state } = run(rule({ max: 4 }), [
      [0, 5],
      [1, 7.5],
      [2, 6],
    ]);
    assert.equal(state?.peak, 7.5);
    assert.equal(state?.phase, 'active');
  });

  void it('returns the raise with the value and a message naming the breach', () => {
    const { outcomes } = run(rule({ max: 4 }), [[0, 5.2]]);
    assert.deepEqual(outcomes[0], {
      kind: 'raise',
      severity: 'warning',
      value: 5.2,
      message: 'temperatureC 5.2 above 4',
      at: minute(0),
    });
  });

  void it('keeps its state JSON-serialisable (it is persisted)', () => {
    const { state } = run(rule({ max: 4 }), [
      [0, 5],
      [1, 6],
    ]);
    assert.deepEqual(JSON.parse(JSON.stringify(state)), state);
  });
});
