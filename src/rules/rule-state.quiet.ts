import type { RuleState } from './rule-state.js';

/**
 * Whether a rule state holds nothing a restart would need: no excursion pending or active, no
 * time out of range counted, no shock burst, no lost frame in the window, not offline. Such a
 * state is the same as a fresh one but for the newest time evaluated, so it need not be written
 * behind after every reading (it is written at shutdown, and once when it becomes quiet).
 */
export function isQuiet(state: RuleState): boolean {
  switch (state.type) {
    case 'excursion':
      return state.phase === 'idle';
    case 'cumulative':
      return state.outMs === 0 && !state.active;
    case 'shock':
      return state.burst === undefined;
    case 'frame-loss':
      return !state.active && state.buckets.every((bucket) => bucket[2] === 0);
    case 'offline':
      return state.offlineSince === undefined;
  }
}
