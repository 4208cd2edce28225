import type { MeasurementKey } from '#src/contracts/reading.js';
import { MEASUREMENT_KEYS } from '#src/contracts/reading.js';
import type { EvaluationResult, OfflineRule, RuleReading } from '#src/contracts/rule-definition.js';
import { NO_OUTCOME } from '#src/contracts/rule-definition.js';
import type { OfflineState } from '#src/state/rule-state.js';
import { minutes } from './band-position.util.js';
import { maxSeverity, severityFor } from './severity-escalation.util.js';

/** Newest measuredAt per measurement key of one device (the fleet's live state keeps it). */
export type LastSeenByKey = Partial<Record<MeasurementKey, number>>;

/**
 * Offline, on a timer: the rule's key (or, for `any`, the device's newest key) has not been seen
 * for `factor` × `expectedIntervalS`. State is per (device, rule). A key never seen counts from the
 * first evaluation (`watchSince`). Raises dated when the limit was crossed (lastSeen + limit), not
 * "now", so a late tick after a restart still tells the truth; escalation `afterMin` runs from that
 * moment. Clears at the first evaluation that sees the key fresh again. Evaluation time never goes
 * backwards: a `nowMs` older than the newest evaluation is taken as that one, so a stale tick
 * cannot clear an alert, and a buffered upload clears it only once its data has caught up.
 */
export function evaluateOffline(
  definition: OfflineRule,
  prior: OfflineState | undefined,
  lastSeenByKey: LastSeenByKey,
  nowMs: number,
): EvaluationResult<OfflineState> {
  return evaluateOfflineAt(definition, prior, seenFor(definition.key, lastSeenByKey), nowMs);
}

/** {@link evaluateOffline} given the newest measuredAt of the rule's key (undefined: not seen). */
function evaluateOfflineAt(
  definition: OfflineRule,
  prior: OfflineState | undefined,
  seenNow: number | undefined,
  nowMs: number,
): EvaluationResult<OfflineState> {
  const now = Math.max(nowMs, prior?.lastNowMs ?? nowMs);
  const seen = newest(prior?.lastSeen, seenNow);
  const state = evaluatedAt(prior, now);
  if (seen !== undefined) state.lastSeen = seen;
  const limitMs = definition.factor * definition.expectedIntervalS * 1000;
  const reference = seen ?? state.watchSince;
  const silentFor = now - reference;
  const what = definition.key === 'any' ? 'device' : definition.key;

  if (silentFor < limitMs) {
    if (state.offlineSince === undefined) return { outcome: NO_OUTCOME, state };
    const message = `${what} reporting again after ${minutes(reference - state.offlineSince + limitMs)} silent`;
    const { offlineSince: _since, severity: _severity, ...online } = state;
    return { outcome: { kind: 'clear', at: now, message }, state: online };
  }
  const offlineSince = reference + limitMs;
  const severity = maxSeverity(severityFor(definition.severity, now - offlineSince, 0), state.severity);
  const silentMin = Math.round(silentFor / 60_000);
  if (state.offlineSince === undefined) {
    const message = `${what} silent for ${minutes(limitMs)} (expected every ${definition.expectedIntervalS} s)`;
    return {
      outcome: { kind: 'raise', severity, value: Math.round(limitMs / 60_000), message, at: offlineSince },
      state: { ...state, offlineSince, severity },
    };
  }
  if (severity === state.severity) return { outcome: NO_OUTCOME, state };
  return { outcome: { kind: 'update', severity, value: silentMin, at: now }, state: { ...state, severity } };
}

/**
 * {@link evaluateOffline} of a quiet watch (no alert out) that stays quiet, done in place: the
 * watch's evaluation time and last seen are advanced and nothing is allocated. It is what the
 * offline tick does to nearly every container of the fleet every RULES_TICK_MS. Returns false,
 * leaving `watch` as it was, when the evaluation would raise: the caller evaluates in full then.
 */
export function advanceQuietWatch(
  definition: OfflineRule,
  watch: QuietOfflineWatch,
  lastSeenByKey: LastSeenByKey,
  nowMs: number,
): boolean {
  const now = Math.max(nowMs, watch.lastNowMs);
  const seen = newest(watch.lastSeen, seenFor(definition.key, lastSeenByKey));
  const reference = seen ?? watch.watchSince;
  if (now - reference >= definition.factor * definition.expectedIntervalS * 1000) return false;
  watch.lastNowMs = now;
  if (seen !== undefined) watch.lastSeen = seen;
  return true;
}

/** The silence after which the rule raises, ms. */
export function offlineLimitMs(definition: OfflineRule): number {
  return definition.factor * definition.expectedIntervalS * 1000;
}

/**
 * When a quiet watch of the rule raises at the earliest, given only the newest measuredAt per key
 * (its own last seen can only be newer); undefined when the key was never seen.
 */
export function offlineDueAt(definition: OfflineRule, lastSeenByKey: LastSeenByKey): number | undefined {
  const seen = seenFor(definition.key, lastSeenByKey);
  return seen === undefined ? undefined : seen + offlineLimitMs(definition);
}

/** An offline watch with no alert out: the state {@link advanceQuietWatch} advances. */
export type QuietOfflineWatch = Pick<OfflineState, 'watchSince' | 'lastNowMs' | 'lastSeen'>;

/**
 * The same rule driven by a reading (through `evaluateRule`): the reading's keys are seen at its
 * measuredAt, and the rule is evaluated at that time. It can clear an alert, and it can raise a
 * per-key one (a tracker sending positions but no temperature).
 */
export function evaluateOfflineOnReading(
  definition: OfflineRule,
  prior: OfflineState | undefined,
  reading: RuleReading,
): EvaluationResult<OfflineState | undefined> {
  if (!Number.isFinite(reading.measuredAt)) return { outcome: NO_OUTCOME, state: prior };
  return evaluateOfflineAt(
    definition,
    prior,
    carries(reading, definition.key) ? reading.measuredAt : undefined,
    reading.measuredAt,
  );
}

/** Whether the reading has a value for the key (for `any`: for any key). */
function carries(reading: RuleReading, key: MeasurementKey | 'any'): boolean {
  if (key !== 'any') return reading[key] !== undefined;
  for (const k of MEASUREMENT_KEYS) if (reading[k] !== undefined) return true;
  return false;
}

/**
 * The prior state (or a first one) evaluated at `now`, copied field by field: this runs for every
 * reading of the fleet, and an object spread is V8's slow path.
 */
function evaluatedAt(prior: OfflineState | undefined, now: number): OfflineState {
  if (prior === undefined) return { type: 'offline', watchSince: now, lastNowMs: now };
  const state: OfflineState = { type: 'offline', watchSince: prior.watchSince, lastNowMs: now };
  if (prior.lastSeen !== undefined) state.lastSeen = prior.lastSeen;
  if (prior.offlineSince !== undefined) state.offlineSince = prior.offlineSince;
  if (prior.severity !== undefined) state.severity = prior.severity;
  return state;
}

/** A field added to OfflineState fails to compile here until `evaluatedAt` copies it. */
type OfflineFieldsNotCopied = Exclude<
  keyof OfflineState,
  'type' | 'watchSince' | 'lastNowMs' | 'lastSeen' | 'offlineSince' | 'severity'
>;
export const OFFLINE_FIELDS_ALL_COPIED: [OfflineFieldsNotCopied] extends [never] ? true : never = true;

function seenFor(key: MeasurementKey | 'any', lastSeenByKey: LastSeenByKey): number | undefined {
  if (key !== 'any') return lastSeenByKey[key];
  let latest: number | undefined;
  for (const k of MEASUREMENT_KEYS) latest = newest(latest, lastSeenByKey[k]);
  return latest;
}

function newest(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  return b === undefined ? a : Math.max(a, b);
}
