import type { CumulativeRule, EvaluationResult, RuleReading } from '#src/contracts/rule-definition.js';
import { NO_OUTCOME } from '#src/contracts/rule-definition.js';
import type { CumulativeState } from '#src/state/rule-state.js';
import { bandPosition, describeBreach, distanceOutside, minutes } from './band-position.util.js';
import { maxSeverity, severityFor } from './severity-escalation.util.js';
import { fieldValue } from './rule-reading.util.js';

/**
 * Time out of the band summed over the shipment (state is per shipment and rule). Each reading's
 * state holds until the next one: the interval after an out-of-range reading counts as out, for at
 * most `maxGapMin` (beyond that the time is unknown and not counted; the offline rule reports it).
 * Tolerated readings (grace window) and readings inside the band count as in range. Raises when the
 * total reaches `budgetMin` (inclusive, dated at the reading that shows it); escalation `afterMin`
 * is measured on the total. It never clears by itself: time out of range cannot be undone (the
 * alert is closed with the shipment or by hand). Late and duplicate readings (measuredAt ≤ the last
 * evaluated) are ignored, so nothing is counted twice.
 */
export function evaluateCumulative(
  definition: CumulativeRule,
  prior: CumulativeState | undefined,
  reading: RuleReading,
): EvaluationResult<CumulativeState | undefined> {
  const value = fieldValue(reading, definition.field);
  if (value === undefined) return { outcome: NO_OUTCOME, state: prior };
  const at = reading.measuredAt;
  if (prior !== undefined && at <= prior.lastAt) return { outcome: NO_OUTCOME, state: prior };

  const out = bandPosition(value, at, definition.band, 0, definition.grace) === 'out';
  const state: CumulativeState = prior
    ? { ...prior }
    : { type: 'cumulative', lastAt: at, lastOut: false, lastValue: value, outMs: 0, active: false };
  if (prior?.lastOut) state.outMs += Math.min(at - prior.lastAt, definition.maxGapMin * 60_000);
  const heldValue = prior?.lastOut ? prior.lastValue : value;
  Object.assign(state, { lastAt: at, lastOut: out, lastValue: value });
  if (out) {
    state.peakDistance = Math.max(state.peakDistance ?? 0, distanceOutside(value, definition.band));
  }
  const severity = severityFor(definition.severity, state.outMs, state.peakDistance ?? 0);

  if (!state.active) {
    if (state.outMs === 0 || state.outMs < definition.budgetMin * 60_000)
      return { outcome: NO_OUTCOME, state };
    state.active = true;
    state.severity = severity;
    const shown = out ? value : heldValue;
    const message = `${describeBreach(definition.field, shown, definition.band)}: ${minutes(state.outMs)} out of range in total (budget ${definition.budgetMin} min)`;
    return { outcome: { kind: 'raise', severity, value: shown, message, at }, state };
  }
  const escalated = maxSeverity(severity, state.severity);
  if (!out && escalated === state.severity) return { outcome: NO_OUTCOME, state };
  state.severity = escalated;
  return { outcome: { kind: 'update', severity: escalated, value: out ? value : heldValue, at }, state };
}
