import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FrameLossRule, RuleReading } from '#src/contracts/rule-definition.js';
import type { FrameLossState } from '#src/state/rule-state.js';
import { evaluateFrameLoss } from './frame-loss.evaluator.js';
import { minute, outcomeLabel } from './rule-trace.testing.js';

const loss: FrameLossRule = {
  id: 'frame-loss',
  kind: 'frame-loss',
  windowMin: 10,
  maxLossRatio: 0.3,
  minFrames: 10,
  clearRatio: 0.1,
  severity: { base: 'info', escalations: [{ severity: 'warning', beyond: 0.3 }] },
};

/** `[minute, lostFrames]` pairs. */
function run(steps: readonly (readonly [number, number])[]): {
  labels: string[];
  state: FrameLossState | undefined;
} {
  let state: FrameLossState | undefined;
  const labels: string[] = [];
  let fCnt = 0;
  for (const [m, lostFrames] of steps) {
    fCnt += lostFrames + 1;
    const reading: RuleReading = { measuredAt: minute(m), temperatureC: 4, lostFrames, quality: { fCnt } };
    const result = evaluateFrameLoss(loss, state, reading);
    state = result.state;
    labels.push(outcomeLabel(result.outcome));
  }
  return { labels, state };
}

const clean = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => [from + i, 0] as const);

void describe(evaluateFrameLoss.name, () => {
  void it('keeps no state for a device without a frame counter (native JSON)', () => {
    const result = evaluateFrameLoss(loss, undefined, { measuredAt: minute(1), temperatureC: 4 });
    assert.equal(result.state, undefined);
    assert.equal(outcomeLabel(result.outcome), '-');
  });

  const cases: { name: string; steps: (readonly [number, number])[]; expect: string[] }[] = [
    { name: 'no loss, no alert', steps: clean(0, 20), expect: Array<string>(21).fill('-') },
    {
      name: 'not judged before minFrames are in the window (1 received, 5 lost: 6 frames)',
      steps: [[0, 5]],
      expect: ['-'],
    },
    {
      name: 'exactly the ratio raises (7 received, 3 lost = 30 %)',
      steps: [...clean(0, 5), [6, 3]],
      expect: ['-', '-', '-', '-', '-', '-', 'raise:info@6'],
    },
    {
      name: 'further losses update, escalating beyond 60 %',
      steps: [...clean(0, 5), [6, 3], [7, 20]],
      expect: ['-', '-', '-', '-', '-', '-', 'raise:info@6', 'update:warning@7'],
    },
    {
      name: 'stays active between clear and raise ratios (hysteresis), clears once losses leave the window',
      steps: [...clean(0, 5), [6, 3], ...clean(7, 16), [17, 0]],
      expect: [...Array<string>(6).fill('-'), 'raise:info@6', ...Array<string>(10).fill('-'), 'clear@17'],
    },
    {
      name: 'a duplicate reading does not count its lost frames twice',
      steps: [...clean(0, 5), [6, 2], [6, 2]],
      expect: [...Array<string>(8).fill('-')],
    },
  ];
  for (const c of cases) {
    void it(c.name, () => {
      assert.deepEqual(run(c.steps).labels, c.expect);
    });
  }

  void it('keeps one bucket per minute inside the window only', () => {
    const { state } = run(clean(0, 100));
    assert.ok(state !== undefined && state.buckets.length <= 11, `buckets: ${state?.buckets.length}`);
  });

  void it('counts several readings in one minute in the same bucket', () => {
    let state: FrameLossState | undefined;
    for (const s of [0, 10, 20]) {
      const reading = { measuredAt: minute(0) + s * 1000, lostFrames: 1, quality: { fCnt: s } };
      state = evaluateFrameLoss(loss, state, reading).state;
    }
    assert.deepEqual(state?.buckets, [[minute(0), 3, 3]]);
  });
});
