import type { EvaluationResult, RuleReading, ShockRule } from '#src/contracts/rule-definition.js';
import { NO_OUTCOME } from '#src/contracts/rule-definition.js';
import type { ShockState } from '#src/state/rule-state.js';
import { maxSeverity, severityFor } from './severity-escalation.util.js';

/**
 * Peak acceleration strictly over `limitG`. Every shock is reported (the first of a burst as
 * `raise`, the next ones as `update`, each with its value and time) so the alert layer can record
 * them all, but a burst (knocks less than `quietMin` apart, e.g. one pallet handled at the dock)
 * is one alert. The burst ends `quietMin` after its last shock: the first reading at or after that
 * time clears it, dated at the burst's end; if that reading is itself a shock, the new raise
 * carries `endsPreviousAt`. Shock sensors often report only on an event, so a reading without
 * `shockG` counts as "no shock" here. Late and duplicate readings (measuredAt ≤ the last
 * evaluated) are ignored, so a redelivered shock is never recorded twice. Escalation uses `beyond`
 * in g over the limit (a 2 m drop versus a bump).
 */
export function evaluateShock(
  definition: ShockRule,
  prior: ShockState | undefined,
  reading: RuleReading,
): EvaluationResult<ShockState | undefined> {
  const at = reading.measuredAt;
  if (!Number.isFinite(at) || (prior !== undefined && at <= prior.lastAt)) {
    return { outcome: NO_OUTCOME, state: prior };
  }
  const g = reading.shockG;
  const over = g !== undefined && Number.isFinite(g) && g > definition.limitG;
  const quietMs = definition.quietMin * 60_000;
  const burst = prior?.burst;
  const burstEndAt = burst ? burst.lastShockAt + quietMs : undefined;
  const ended = burstEndAt !== undefined && at >= burstEndAt;

  if (!over || g === undefined) {
    if (burst && ended) {
      const message = `shock burst over: ${burst.count} shock(s), peak ${burst.peakG} g`;
      return { outcome: { kind: 'clear', at: burstEndAt, message }, state: { type: 'shock', lastAt: at } };
    }
    return {
      outcome: NO_OUTCOME,
      state: burst ? { type: 'shock', lastAt: at, burst } : { type: 'shock', lastAt: at },
    };
  }

  const distance = g - definition.limitG;
  if (burst && !ended) {
    const peakG = Math.max(burst.peakG, g);
    const severity = maxSeverity(
      severityFor(definition.severity, at - burst.startedAt, peakG - definition.limitG),
      burst.severity,
    );
    const next = { ...burst, lastShockAt: at, peakG, count: burst.count + 1, severity };
    return {
      outcome: { kind: 'update', severity, value: g, at },
      state: { type: 'shock', lastAt: at, burst: next },
    };
  }
  const severity = severityFor(definition.severity, 0, distance);
  const state: ShockState = {
    type: 'shock',
    lastAt: at,
    burst: { startedAt: at, lastShockAt: at, peakG: g, count: 1, severity },
  };
  const message = `shock ${g} g over ${definition.limitG} g`;
  const outcome = { kind: 'raise', severity, value: g, message, at } as const;
  return { outcome: burstEndAt !== undefined ? { ...outcome, endsPreviousAt: burstEndAt } : outcome, state };
}
