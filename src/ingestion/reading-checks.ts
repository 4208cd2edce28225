import { READING_BOUNDS, type DecodedReading, type Measurements } from '#src/contracts/reading.js';
import type { Rejection } from './decode-result.js';

/** ECMA-262 "Time Values and Time Range": every Date lies within ±this, ms. */
const MAX_DATE_MS = 8.64e15;

type BoundedKey = 'temperatureC' | 'humidityPct' | 'shockG' | 'lat' | 'lon' | 'altM' | 'batteryPct';
const BOUNDED_KEYS: readonly BoundedKey[] = [
  'temperatureC',
  'humidityPct',
  'shockG',
  'lat',
  'lon',
  'altM',
  'batteryPct',
];

/**
 * The checks every decoded reading passes, whatever its wire format (ARCHITECTURE.md §4):
 * 1. at least one measurement;
 * 2. every number finite and within its physical bounds (NaN and ±Infinity are never stored:
 *    comparisons with NaN are always false and would silently disable rules);
 * 3. latitude and longitude come together, and (0, 0) "null island" is refused as a GPS fault;
 * 4. measuredAt is a time JavaScript can represent (±8.64e15 ms: a Date beyond it throws a
 *    RangeError) and no more than 5 min ahead of receivedAt.
 * Returns the rejection, or undefined when the reading is acceptable.
 */
export function checkReading(reading: DecodedReading): Rejection | undefined {
  const id = reading.deviceId;
  if (!hasMeasurement(reading))
    return { reason: 'empty', detail: 'reading carries no measurement', deviceId: id };
  for (const key of BOUNDED_KEYS) {
    const value = reading[key];
    if (value === undefined) continue;
    const { min, max } = READING_BOUNDS[key];
    if (!Number.isFinite(value) || value < min || value > max) {
      return { reason: 'range', detail: `${key}=${String(value)} outside [${min}, ${max}]`, deviceId: id };
    }
  }
  if ((reading.lat === undefined) !== (reading.lon === undefined)) {
    return { reason: 'schema', detail: 'lat and lon must be given together', deviceId: id };
  }
  if (reading.lat === 0 && reading.lon === 0) {
    return { reason: 'range', detail: 'position (0, 0) is a GPS fault, not a place', deviceId: id };
  }
  if (!(Math.abs(reading.measuredAt) <= MAX_DATE_MS)) {
    return {
      reason: 'schema',
      detail: `measuredAt ${String(reading.measuredAt)} is not a valid time`,
      deviceId: id,
    };
  }
  const aheadMs = reading.measuredAt - reading.receivedAt;
  if (aheadMs > READING_BOUNDS.futureToleranceMs) {
    return {
      reason: 'future',
      detail: `measuredAt ${new Date(reading.measuredAt).toISOString()} is ${Math.round(aheadMs / 1000)} s in the future`,
      deviceId: id,
    };
  }
  return undefined;
}

/** Fills the time-derived part of the quality block: lag and the late flag. */
export function stampLag(reading: DecodedReading): void {
  const lagMs = reading.receivedAt - reading.measuredAt;
  reading.quality.lagMs = lagMs;
  reading.quality.late = lagMs > READING_BOUNDS.lateAfterMs;
}

function hasMeasurement(m: Measurements): boolean {
  return (
    m.temperatureC !== undefined ||
    m.humidityPct !== undefined ||
    m.shockG !== undefined ||
    m.lat !== undefined ||
    m.lon !== undefined ||
    m.altM !== undefined ||
    m.batteryPct !== undefined ||
    m.doorOpen !== undefined
  );
}
