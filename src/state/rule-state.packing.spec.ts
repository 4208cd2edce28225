import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RuleState } from '#src/state/rule-state.js';
import { isQuiet } from '#src/state/rule-state.packing.js';

describe(isQuiet.name, () => {
  const cases: [string, RuleState, boolean][] = [
    ['an idle excursion', { type: 'excursion', lastAt: 1, phase: 'idle', count: 0 }, true],
    [
      'a pending excursion',
      { type: 'excursion', lastAt: 1, phase: 'pending', startedAt: 1, count: 1 },
      false,
    ],
    ['an active excursion', { type: 'excursion', lastAt: 1, phase: 'active', startedAt: 1, count: 3 }, false],
    [
      'no time out of range',
      { type: 'cumulative', lastAt: 1, lastOut: false, lastValue: 2, outMs: 0, active: false },
      true,
    ],
    [
      'time out of range counted',
      { type: 'cumulative', lastAt: 1, lastOut: false, lastValue: 2, outMs: 60_000, active: false },
      false,
    ],
    ['no burst', { type: 'shock', lastAt: 1 }, true],
    [
      'a burst',
      {
        type: 'shock',
        lastAt: 1,
        burst: { startedAt: 1, lastShockAt: 1, peakG: 9, count: 1, severity: 'warning' },
      },
      false,
    ],
    ['frames, none lost', { type: 'frame-loss', lastAt: 1, buckets: [[0, 5, 0]], active: false }, true],
    [
      'a lost frame in the window',
      { type: 'frame-loss', lastAt: 1, buckets: [[0, 5, 1]], active: false },
      false,
    ],
    ['online', { type: 'offline', watchSince: 0, lastNowMs: 1, lastSeen: 1 }, true],
    ['offline', { type: 'offline', watchSince: 0, lastNowMs: 1, lastSeen: 1, offlineSince: 1 }, false],
  ];
  for (const [name, state, quiet] of cases) {
    it(`${quiet ? 'lets' : 'does not let'} ${name} be skipped`, () => assert.equal(isQuiet(state), quiet));
  }
});
