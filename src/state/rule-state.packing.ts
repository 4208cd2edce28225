import type { FrameBucket, FrameLossState, OfflineState, RuleState } from './rule-state.js';

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

/**
 * A rule state as the store holds it (issue 11: memory per container). The commonest states take
 * no object: an idle excursion in its exact fresh shape is its `lastAt` alone; a frame-loss window
 * with no alert out is `[lastAt, minute, received, lost, minute, received, lost, …]` (its buckets
 * as objects cost ~70 bytes each, up to 60 of them); a quiet offline watch is a compact literal.
 * Anything else is kept as it is.
 */
export type PackedRuleState = RuleState | number | number[];

/** Packs a state; {@link unpackRuleState} gives back an equal, fresh one. */
export function packRuleState(state: RuleState): PackedRuleState {
  if (state.type === 'excursion') {
    return state.phase === 'idle' && state.count === 0 && keyCount(state) === 4 ? state.lastAt : state;
  }
  if (state.type === 'frame-loss' && !state.active && keyCount(state) === 4) {
    // Sized once: an array grown by push keeps spare capacity (about 230 bytes instead of 90).
    return writeFrameWindow(new Array<number>(1 + 3 * state.buckets.length), state);
  }
  if (state.type === 'offline' && state.offlineSince === undefined && state.severity === undefined) {
    // Rebuilt as a literal: the evaluator's spread-and-extend copy takes three times the memory.
    const { watchSince, lastNowMs, lastSeen } = state;
    const keys = keyCount(state);
    if (lastSeen === undefined && keys === 3) return { type: 'offline', watchSince, lastNowMs };
    if (lastSeen !== undefined && keys === 4) return { type: 'offline', watchSince, lastNowMs, lastSeen };
  }
  return state;
}

/**
 * {@link packRuleState} into `held` when that has the form the state packs to: a quiet offline
 * watch's literal and a quiet frame-loss window's numbers are overwritten in place. A new one at
 * every reading (and every offline tick) left garbage the young-generation collector had to copy
 * into the old generation, where the store's arrays live. `held` may have been handed out by
 * {@link unpackRuleState}: a caller keeps what it got only until it sets the same key again.
 */
export function repackRuleState(held: PackedRuleState, state: RuleState): PackedRuleState {
  if (state.type === 'offline' && isQuietOfflineLiteral(held) && isQuietOfflineLiteral(state)) {
    if ((held.lastSeen === undefined) === (state.lastSeen === undefined)) {
      held.watchSince = state.watchSince;
      held.lastNowMs = state.lastNowMs;
      if (state.lastSeen !== undefined) held.lastSeen = state.lastSeen;
      return held;
    }
  }
  if (
    state.type === 'frame-loss' &&
    Array.isArray(held) &&
    held.length === 1 + 3 * state.buckets.length &&
    !state.active &&
    keyCount(state) === 4
  ) {
    return writeFrameWindow(held, state);
  }
  return packRuleState(state);
}

/** `[lastAt, minute, received, lost, …]` of a frame-loss window, written into `packed`. */
function writeFrameWindow(packed: number[], state: FrameLossState): number[] {
  packed[0] = state.lastAt;
  let i = 1;
  for (const [minute, received, lost] of state.buckets) {
    packed[i++] = minute;
    packed[i++] = received;
    packed[i++] = lost;
  }
  return packed;
}

/** A quiet offline watch in the exact shape {@link packRuleState} rebuilds it as (no extras). */
export function isQuietOfflineLiteral(packed: PackedRuleState): packed is OfflineState {
  if (typeof packed !== 'object' || Array.isArray(packed) || packed.type !== 'offline') return false;
  if (packed.offlineSince !== undefined || packed.severity !== undefined) return false;
  return keyCount(packed) === (packed.lastSeen === undefined ? 3 : 4);
}

export function unpackRuleState(packed: PackedRuleState): RuleState {
  if (typeof packed === 'number') return { type: 'excursion', lastAt: packed, phase: 'idle', count: 0 };
  if (!Array.isArray(packed)) return packed;
  const buckets: FrameBucket[] = [];
  for (let i = 1; i < packed.length; i += 3) buckets.push([packed[i], packed[i + 1], packed[i + 2]]);
  return { type: 'frame-loss', lastAt: packed[0], buckets, active: false };
}

/** {@link isQuiet} of the packed state, without unpacking it. */
export function packedIsQuiet(packed: PackedRuleState): boolean {
  if (typeof packed === 'number') return true;
  if (!Array.isArray(packed)) return isQuiet(packed);
  for (let i = 3; i < packed.length; i += 3) if (packed[i] !== 0) return false;
  return true;
}

/** Own enumerable keys, without allocating: tells the exact fresh shape from one with extras. */
function keyCount(state: object): number {
  let n = 0;
  for (const key in state) if (Object.hasOwn(state, key)) n++;
  return n;
}
