import type { AlertSeverity } from '#src/contracts/alert-event.js';

/**
 * Per-rule state between readings: plain JSON (numbers, strings, arrays) so the rule store can
 * persist it in SQLite and a restart neither forgets an excursion nor raises it twice. Each has a
 * `type` so a state stored for another kind of rule (a profile edited in between) is detected and
 * restarted instead of misread. Times are epoch ms of `measuredAt`.
 */

/** Threshold, duration, repeating, hysteresis and battery-low rules. */
export interface ExcursionState {
  type: 'excursion';
  /** Newest measuredAt evaluated: anything at or before it is a late or duplicate reading. */
  lastAt: number;
  /** `pending`: out of range, not raised yet; `active`: raised, not cleared. */
  phase: 'idle' | 'pending' | 'active';
  /** measuredAt of the first out-of-range reading of the current excursion. */
  startedAt?: number;
  /** Consecutive out-of-range readings in the current excursion. */
  count: number;
  /** Worst value of the current excursion and its distance outside the band. */
  peak?: number;
  peakDistance?: number;
  severity?: AlertSeverity;
  /** Active only: first reading back in range (by the clear margin) of an unbroken run. */
  inRangeSince?: number;
}

export interface CumulativeState {
  type: 'cumulative';
  lastAt: number;
  /** Whether the last reading was out of range, and its value (held until the next reading). */
  lastOut: boolean;
  lastValue: number;
  /** Time out of range so far, ms. */
  outMs: number;
  active: boolean;
  severity?: AlertSeverity;
  peakDistance?: number;
}

export interface ShockBurst {
  startedAt: number;
  lastShockAt: number;
  peakG: number;
  count: number;
  severity: AlertSeverity;
}

export interface ShockState {
  type: 'shock';
  lastAt: number;
  burst?: ShockBurst;
}

/** `[minuteStartMs, received, lost]`: one bucket per minute keeps the window bounded. */
export type FrameBucket = [number, number, number];

export interface FrameLossState {
  type: 'frame-loss';
  lastAt: number;
  buckets: FrameBucket[];
  active: boolean;
  severity?: AlertSeverity;
}

export interface OfflineState {
  type: 'offline';
  /** First evaluation time: the reference for a key never seen at all. */
  watchSince: number;
  /** Newest evaluation time: evaluation time never goes backwards. */
  lastNowMs: number;
  /** Newest measuredAt seen for the rule's key. */
  lastSeen?: number;
  /** Set while the offline alert is active: when the key went silent past the limit. */
  offlineSince?: number;
  severity?: AlertSeverity;
}

export type RuleState = ExcursionState | CumulativeState | ShockState | FrameLossState | OfflineState;
