import type { AlertSeverity } from './alert-event.js';
import type { MeasurementKey, Measurements } from './reading.js';

/**
 * Rule definitions: plain, JSON-serialisable data (stored per shipment, rebuilt from a product
 * profile) judged by the pure evaluators in `rules/evaluators/` (ARCHITECTURE.md §6). They are a
 * contract because a rule's conclusion carries its rule (`rule.concluded`, `rule-event.ts`) to the
 * features above rules that act on it.
 *
 * Conventions shared by every kind:
 * 1. Time is the reading's `measuredAt` (epoch ms), never the wall clock.
 * 2. A band `{ min, max }` is inclusive: a value exactly at a limit is in range, out of range is
 *    strictly above `max` or strictly below `min` (ATP: "shall not exceed").
 * 3. Durations are minutes in definitions (what planners type), milliseconds in state.
 */

/** Measurements a rule can judge: the numeric ones. */
export type NumericField = Exclude<keyof Measurements, 'doorOpen'>;

/** Inclusive range in the field's unit; a missing side is unbounded. */
export interface Band {
  min?: number;
  max?: number;
}

/**
 * A step up in severity. It applies when the excursion has lasted `afterMin` minutes, or when the
 * worst value is at least `beyond` (field units) outside the band; either condition suffices.
 */
export interface Escalation {
  severity: AlertSeverity;
  afterMin?: number;
  beyond?: number;
}

/** Severity at raise is the highest applicable of `base` and `escalations`; it never goes down. */
export interface SeverityPolicy {
  base: AlertSeverity;
  escalations?: readonly Escalation[];
}

/**
 * How an active excursion ends: the value must be back inside the band by at least `margin`
 * (hysteresis, e.g. 0.5 °C: a chilled-4 alert clears below +3.5 °C) for `delayMin` minutes.
 */
export interface ClearPolicy {
  margin: number;
  delayMin: number;
}

/**
 * A window in which excursions are tolerated instead of raised. It is signalled as data on the
 * definition, so evaluators stay pure and a restart keeps it: `warm-up` comes from the shipment's
 * loading time, `defrost` from a declared defrost (reefer status or REST), both turned into windows
 * by `rulesForProfile`. `[fromMs, toMs)`: the end instant is no longer in grace.
 * `toleranceAbove` lifts `max` by that much (ATP Annex 2: +3 °C during defrost); without it every
 * value is tolerated (a logger acclimatising after loading measures the dock, not the load).
 */
export interface GraceWindow {
  reason: 'warm-up' | 'defrost';
  fromMs: number;
  toMs: number;
  toleranceAbove?: number;
}

interface RuleBase {
  /** Stable id, one active alert per (container, rule id), e.g. `temperature-high`. */
  id: string;
  severity: SeverityPolicy;
}

/** Fields shared by the rules that compare one field with a band. */
interface BandRuleBase extends RuleBase {
  field: NumericField;
  band: Band;
  /** Absent: clears at the first reading back in the band. */
  clear?: ClearPolicy;
  grace?: readonly GraceWindow[];
}

/** Raises at the first reading out of the band. */
export interface ThresholdRule extends BandRuleBase {
  kind: 'threshold';
}

/** Raises once the field has been out of the band for `raiseAfterMin` consecutive minutes. */
export interface DurationRule extends BandRuleBase {
  kind: 'duration';
  raiseAfterMin: number;
  /**
   * Two out-of-range readings at most this far apart are one continuous excursion (the gap is
   * bridged); a longer gap restarts a pending excursion at the reading after it, because we do not
   * claim a duration we did not observe (the offline rule reports the gap itself).
   */
  maxGapMin: number;
}

/** Raises at the `count`-th consecutive reading out of the band. */
export interface RepeatingRule extends BandRuleBase {
  kind: 'repeating';
  count: number;
  /** When set, a gap longer than this breaks the run. */
  maxGapMin?: number;
}

/** Raises at the first reading out of the band; clears only per `clear` (required here). */
export interface HysteresisRule extends BandRuleBase {
  kind: 'hysteresis';
  clear: ClearPolicy;
}

/** Raises when the time out of the band over the whole shipment reaches `budgetMin`. */
export interface CumulativeRule extends BandRuleBase {
  kind: 'cumulative';
  budgetMin: number;
  /** The state of a reading holds until the next one, for at most this long (unknown time is not counted). */
  maxGapMin: number;
}

/** Peak acceleration over `limitG`; one alert per burst, a burst ends after `quietMin` without a shock. */
export interface ShockRule extends RuleBase {
  kind: 'shock';
  field: 'shockG';
  limitG: number;
  quietMin: number;
}

/** Battery below `lowPct`; clears at `lowPct + clearMarginPct` or more (readings jitter). */
export interface BatteryLowRule extends RuleBase {
  kind: 'battery-low';
  field: 'batteryPct';
  lowPct: number;
  clearMarginPct: number;
}

/** Share of frames lost over a sliding window of `windowMin` minutes. */
export interface FrameLossRule extends RuleBase {
  kind: 'frame-loss';
  windowMin: number;
  /** Raise when lost / (lost + received) reaches this ratio (0…1)… */
  maxLossRatio: number;
  /** …once at least this many frames (lost + received) are in the window. */
  minFrames: number;
  /** Clear when the ratio falls below this one (hysteresis). */
  clearRatio: number;
}

/** No reading of `key` (or of anything, `any`) for `factor` × `expectedIntervalS`. */
export interface OfflineRule extends RuleBase {
  kind: 'offline';
  key: MeasurementKey | 'any';
  expectedIntervalS: number;
  factor: number;
}

export type RuleDefinition =
  | ThresholdRule
  | DurationRule
  | RepeatingRule
  | HysteresisRule
  | CumulativeRule
  | ShockRule
  | BatteryLowRule
  | FrameLossRule
  | OfflineRule;

export type RuleKind = RuleDefinition['kind'];

/** What a reading (or a timer tick) did to a rule. */
export type RuleOutcome =
  | { kind: 'none' }
  | {
      kind: 'raise';
      severity: AlertSeverity;
      value: number;
      message: string;
      at: number;
      /**
       * Set when the previous occurrence ended (at this time) without a reading in between to say
       * so (shock bursts): close the active alert at that time, then open the new one.
       */
      endsPreviousAt?: number;
    }
  | { kind: 'update'; severity: AlertSeverity; value: number; at: number }
  | { kind: 'clear'; at: number; message: string };

/** What a reading-driven evaluator needs from a reading; a canonical `Reading` fits. */
export interface RuleReading extends Measurements {
  measuredAt: number;
  /** Frames lost just before this one (frame-counter gap − 1), counted by ingestion. */
  lostFrames?: number;
  /** The uplink's frame counter (`quality.fCnt`); absent for devices that count no frames (native JSON). */
  quality?: { fCnt?: number };
}

export interface EvaluationResult<S> {
  outcome: RuleOutcome;
  state: S;
}

export const NO_OUTCOME: RuleOutcome = Object.freeze({ kind: 'none' });
