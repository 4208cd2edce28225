import { READING_BOUNDS } from '#src/contracts/reading.js';
import type { NativeReadingDto } from './native-reading.dto.js';
import { parseTimestamp } from './native-reading.dto.js';

type Bounded = { min: number; max: number };
const SHOCK_AXIS: Bounded = { min: -READING_BOUNDS.shockG.max, max: READING_BOUNDS.shockG.max };

/**
 * Accepts, without building a class instance, exactly the native readings that NativeReadingDto's
 * class-validator rules accept in their common form; anything else returns false and goes through
 * class-validator, which then produces the precise error messages. It may only be stricter than
 * the DTO, never looser (a spec checks that over random inputs). Rules, mirroring the DTO:
 * 1. `ts` is a timestamp `parseTimestamp` accepts;
 * 2. each numeric field is absent or a finite number within its READING_BOUNDS (`seq` an integer
 *    0…2³²−1); `null` is left to class-validator;
 * 3. `accel` is absent or an object of exactly x, y, z numbers within ±200 g;
 * 4. `door` is absent, `open` or `closed`.
 * The caller has already refused unknown keys.
 */
export function isValidNativeReading(
  item: Record<string, unknown>,
): item is Record<string, unknown> & NativeReadingDto {
  if (typeof parseTimestamp(item.ts) !== 'number') return false;
  const seq = item.seq;
  if (
    seq !== undefined &&
    !(Number.isInteger(seq) && (seq as number) >= 0 && (seq as number) <= 0xffffffff)
  ) {
    return false;
  }
  return (
    optionalNumber(item.temperature, READING_BOUNDS.temperatureC) &&
    optionalNumber(item.humidity, READING_BOUNDS.humidityPct) &&
    optionalNumber(item.shock, READING_BOUNDS.shockG) &&
    optionalNumber(item.lat, READING_BOUNDS.lat) &&
    optionalNumber(item.lon, READING_BOUNDS.lon) &&
    optionalNumber(item.alt, READING_BOUNDS.altM) &&
    optionalNumber(item.battery, READING_BOUNDS.batteryPct) &&
    (item.door === undefined || item.door === 'open' || item.door === 'closed') &&
    (item.accel === undefined || isAcceleration(item.accel))
  );
}

function optionalNumber(value: unknown, bounds: Bounded): boolean {
  return value === undefined || inBounds(value, bounds);
}

function inBounds(value: unknown, { min, max }: Bounded): boolean {
  return typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max;
}

function isAcceleration(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  if (keys.length !== 3) return false;
  const { x, y, z } = value as Record<string, unknown>;
  return inBounds(x, SHOCK_AXIS) && inBounds(y, SHOCK_AXIS) && inBounds(z, SHOCK_AXIS);
}
