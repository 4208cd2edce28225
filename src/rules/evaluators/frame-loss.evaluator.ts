import type { EvaluationResult, FrameLossRule, RuleReading } from '#src/contracts/rule-definition.js';
import { NO_OUTCOME } from '#src/contracts/rule-definition.js';
import type { FrameBucket, FrameLossState } from '#src/state/rule-state.js';
import { maxSeverity, severityFor } from './severity-escalation.util.js';

const MINUTE_MS = 60_000;

/**
 * Share of lost frames over the last `windowMin` minutes. Input: a reading plus `lostFrames`, the
 * frames missing just before it (frame-counter gap − 1, as counted by ingestion; 0 or absent when
 * none; a counter reset is not a loss). Frames are kept in one-minute buckets, so the state stays
 * bounded whatever the reading rate. Raises when lost / (lost + received) ≥ `maxLossRatio` with at
 * least `minFrames` frames in the window; clears when the ratio falls under `clearRatio`
 * (hysteresis). Escalation `beyond` is in ratio points over `maxLossRatio`. Late and duplicate
 * readings (measuredAt ≤ the last evaluated), and readings without a frame counter, are ignored: ingestion already counted a late frame
 * as lost when its successor arrived, and counting it again would hide nothing but add noise.
 */
export function evaluateFrameLoss(
  definition: FrameLossRule,
  prior: FrameLossState | undefined,
  reading: RuleReading,
): EvaluationResult<FrameLossState | undefined> {
  const at = reading.measuredAt;
  // A device without a frame counter can lose nothing countable: no window is kept for it
  // (at one reading a minute that window was ~1 KB per container for nothing).
  if (reading.quality?.fCnt === undefined) return { outcome: NO_OUTCOME, state: prior };
  if (!Number.isFinite(at) || (prior !== undefined && at <= prior.lastAt)) {
    return { outcome: NO_OUTCOME, state: prior };
  }
  const lost = Math.max(0, Math.trunc(reading.lostFrames ?? 0)) || 0;
  const minute = Math.floor(at / MINUTE_MS) * MINUTE_MS;
  const windowStart = at - definition.windowMin * MINUTE_MS;
  const buckets: FrameBucket[] = (prior?.buckets ?? []).filter(([start]) => start + MINUTE_MS > windowStart);
  const last = buckets.at(-1);
  if (last !== undefined && last[0] === minute)
    buckets[buckets.length - 1] = [minute, last[1] + 1, last[2] + lost];
  else buckets.push([minute, 1, lost]);

  let received = 0;
  let lostTotal = 0;
  for (const [, r, l] of buckets) {
    received += r;
    lostTotal += l;
  }
  const total = received + lostTotal;
  const ratio = total > 0 ? lostTotal / total : 0;
  const value = Math.round(ratio * 1000) / 10;
  const state: FrameLossState = { type: 'frame-loss', lastAt: at, buckets, active: prior?.active ?? false };
  if (prior?.severity !== undefined) state.severity = prior.severity;
  const severity = severityFor(definition.severity, 0, ratio - definition.maxLossRatio);

  if (!state.active) {
    if (total < definition.minFrames || ratio < definition.maxLossRatio)
      return { outcome: NO_OUTCOME, state };
    Object.assign(state, { active: true, severity });
    const message = `${lostTotal} of ${total} frames lost (${value} %) in the last ${definition.windowMin} min`;
    return { outcome: { kind: 'raise', severity, value, message, at }, state };
  }
  if (ratio < definition.clearRatio) {
    const message = `frame loss back to ${value} % in the last ${definition.windowMin} min`;
    return {
      outcome: { kind: 'clear', at, message },
      state: { type: 'frame-loss', lastAt: at, buckets, active: false },
    };
  }
  if (lost === 0) return { outcome: NO_OUTCOME, state };
  state.severity = maxSeverity(severity, prior?.severity);
  return { outcome: { kind: 'update', severity: state.severity, value, at }, state };
}
