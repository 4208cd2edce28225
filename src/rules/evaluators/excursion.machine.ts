import type {
  Band,
  ClearPolicy,
  EvaluationResult,
  GraceWindow,
  NumericField,
  SeverityPolicy,
} from '#src/contracts/rule-definition.js';
import { NO_OUTCOME } from '#src/contracts/rule-definition.js';
import type { ExcursionState } from '#src/state/rule-state.js';
import { bandPosition, describeBreach, distanceOutside, minutes } from './band-position.util.js';
import { maxSeverity, severityFor } from './severity-escalation.util.js';

/** The band-excursion state machine behind threshold, duration, repeating, hysteresis and battery rules. */
export interface ExcursionParams {
  field: string;
  band: Band;
  /** Raise once the excursion has lasted this long (0: at once)… */
  raiseAfterMs: number;
  /** …and counts this many consecutive out-of-range readings (1: at once). */
  raiseAfterCount: number;
  /** A longer gap between two readings breaks a run (pending excursion, clear delay). */
  maxGapMs?: number;
  clear?: ClearPolicy;
  severity: SeverityPolicy;
  grace?: readonly GraceWindow[];
}

/** What the band rules share with the machine. */
interface BandRuleLike {
  field: NumericField;
  band: Band;
  clear?: ClearPolicy;
  severity: SeverityPolicy;
  grace?: readonly GraceWindow[];
}

/** Machine parameters of a band rule, built field by field (no spread: this runs per reading). */
export function excursionParams(
  rule: BandRuleLike,
  raiseAfterMs: number,
  raiseAfterCount: number,
  maxGapMs: number | undefined,
): ExcursionParams {
  return {
    field: rule.field,
    band: rule.band,
    raiseAfterMs,
    raiseAfterCount,
    maxGapMs,
    clear: rule.clear,
    severity: rule.severity,
    grace: rule.grace,
  };
}

/**
 * Advances the machine with one value measured at `at`:
 * 1. late or duplicate (`at` ≤ `lastAt`): ignored, state unchanged. The timeline up to `lastAt` is
 *    settled, so an older in-range reading cannot re-open or close anything, and an older
 *    out-of-range one cannot count twice (ingestion orders each container's readings; the stored
 *    history, not the rule, is the compliance record);
 * 2. idle + out: an excursion starts (pending); it raises as soon as duration and count allow;
 * 3. pending + out: the excursion goes on, unless the gap since the previous reading exceeds
 *    `maxGapMs`, in which case it restarts here; pending + anything else: back to idle;
 * 4. active + out: update (worst value, escalation); active + near/tolerated: still active, the
 *    clear delay restarts; active + in: the clear delay runs from the first such reading (restarting
 *    after a gap over `maxGapMs`) and the excursion clears once it has elapsed.
 */
export function advanceExcursion(
  params: ExcursionParams,
  prior: ExcursionState | undefined,
  at: number,
  value: number,
): EvaluationResult<ExcursionState> {
  if (prior !== undefined && at <= prior.lastAt) return { outcome: NO_OUTCOME, state: prior };
  const margin = params.clear?.margin ?? 0;
  const position = bandPosition(value, at, params.band, margin, params.grace);
  const gapBroken =
    prior !== undefined && params.maxGapMs !== undefined && at - prior.lastAt > params.maxGapMs;
  const state: ExcursionState = prior
    ? { ...prior, lastAt: at }
    : { type: 'excursion', lastAt: at, phase: 'idle', count: 0 };

  if (state.phase !== 'active') {
    if (position !== 'out') return { outcome: NO_OUTCOME, state: idle(at) };
    const distance = distanceOutside(value, params.band);
    if (state.phase === 'idle' || gapBroken) {
      Object.assign(state, {
        phase: 'pending',
        startedAt: at,
        count: 1,
        peak: value,
        peakDistance: distance,
      });
    } else {
      state.count += 1;
      if (distance > (state.peakDistance ?? 0)) Object.assign(state, { peak: value, peakDistance: distance });
    }
    const startedAt = state.startedAt ?? at;
    if (at - startedAt < params.raiseAfterMs || state.count < params.raiseAfterCount) {
      return { outcome: NO_OUTCOME, state };
    }
    state.phase = 'active';
    state.severity = severityFor(params.severity, at - startedAt, state.peakDistance ?? distance);
    const lasted = at > startedAt ? ` for ${minutes(at - startedAt)}` : '';
    const message = `${describeBreach(params.field, value, params.band)}${lasted}`;
    return { outcome: { kind: 'raise', severity: state.severity, value, message, at }, state };
  }

  if (position === 'out') {
    const distance = distanceOutside(value, params.band);
    if (distance > (state.peakDistance ?? 0)) Object.assign(state, { peak: value, peakDistance: distance });
    delete state.inRangeSince;
    state.count += 1;
    const elapsed = at - (state.startedAt ?? at);
    const escalated = severityFor(params.severity, elapsed, state.peakDistance ?? distance);
    state.severity = maxSeverity(escalated, state.severity);
    return { outcome: { kind: 'update', severity: state.severity, value, at }, state };
  }
  if (position !== 'in') {
    delete state.inRangeSince;
    return { outcome: NO_OUTCOME, state };
  }
  if (state.inRangeSince === undefined || gapBroken) state.inRangeSince = at;
  const backFor = at - state.inRangeSince;
  if (backFor < (params.clear?.delayMin ?? 0) * 60_000) return { outcome: NO_OUTCOME, state };
  const since = backFor > 0 ? ` for ${minutes(backFor)}` : '';
  const message = `${params.field} ${value} back in range${since}`;
  return { outcome: { kind: 'clear', at, message }, state: idle(at) };
}

function idle(at: number): ExcursionState {
  return { type: 'excursion', lastAt: at, phase: 'idle', count: 0 };
}
