import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ShockRule } from '#src/contracts/rule-definition.js';
import type { ShockState } from '#src/state/rule-state.js';
import { evaluateShock } from './shock.evaluator.js';
import { minute, trace, type Step } from './rule-trace.testing.js';

const shock: ShockRule = {
  id: 'shock',
  kind: 'shock',
  field: 'shockG',
  limitG: 8,
  quietMin: 5,
  severity: { base: 'warning', escalations: [{ severity: 'critical', beyond: 8 }] },
};

const run = (steps: readonly Step[]) =>
  trace<ShockState>((s, r) => evaluateShock(shock, s, r), 'shockG', steps);

void describe(evaluateShock.name, () => {
  const cases: { name: string; steps: Step[]; expect: string[] }[] = [
    { name: 'exactly at the limit is not a shock', steps: [[0, 8]], expect: ['-'] },
    { name: 'just over raises', steps: [[0, 8.1]], expect: ['raise:warning@0'] },
    {
      name: 'a burst is one alert, every shock reported as an update',
      steps: [
        [0, 10],
        [1, 9],
        [3, 12],
      ],
      expect: ['raise:warning@0', 'update:warning@1', 'update:warning@3'],
    },
    {
      name: 'the burst clears at its end, dated quietMin after its last shock',
      steps: [
        [0, 10],
        [3, 12],
        [4, 1],
        [20, 1],
      ],
      expect: ['raise:warning@0', 'update:warning@3', '-', 'clear@8'],
    },
    {
      name: 'readings without shockG count as quiet and close the burst',
      steps: [
        [0, 10],
        [6, undefined],
        [7, undefined],
      ],
      expect: ['raise:warning@0', 'clear@5', '-'],
    },
    {
      name: 'a shock within the quiet period extends the burst',
      steps: [
        [0, 10],
        [4.9, 10],
        [9.8, 10],
        [14, 1],
        [14.8, 1],
      ],
      expect: ['raise:warning@0', 'update:warning@4.9', 'update:warning@9.8', '-', 'clear@14.8'],
    },
    {
      name: 'escalates to critical at 16 g (8 g beyond the limit) and stays there',
      steps: [
        [0, 10],
        [1, 16],
        [2, 9],
      ],
      expect: ['raise:warning@0', 'update:critical@1', 'update:critical@2'],
    },
    {
      name: 'duplicate and late shocks are not recorded twice',
      steps: [
        [0, 10],
        [0, 10],
        [2, 12],
        [1, 30],
      ],
      expect: ['raise:warning@0', '-', 'update:warning@2', '-'],
    },
  ];
  for (const c of cases) {
    void it(c.name, () => {
      assert.deepEqual(run(c.steps).labels, c.expect);
    });
  }

  void it('a shock right after the quiet period opens a new alert and ends the previous one', () => {
    const { outcomes, state } = run([
      [0, 10],
      [2, 11],
      [7, 9],
    ]);
    assert.deepEqual(outcomes[2], {
      kind: 'raise',
      severity: 'warning',
      value: 9,
      message: 'shock 9 g over 8 g',
      at: minute(7),
      endsPreviousAt: minute(7),
    });
    assert.equal(state?.burst?.count, 1);
  });

  void it('keeps the burst peak and count', () => {
    const { state } = run([
      [0, 10],
      [1, 14],
      [2, 9],
    ]);
    assert.deepEqual(state?.burst, {
      startedAt: minute(0),
      lastShockAt: minute(2),
      peakG: 14,
      count: 3,
      severity: 'warning',
    });
  });
});
