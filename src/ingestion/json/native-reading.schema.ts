import { READING_BOUNDS } from '#src/contracts/reading.js';
import { compileWireSchema, type NumberRule, type WireSchema } from './wire-schema.compiler.js';

/** Earliest accepted device time: an RTC reset to 1970 is a fault, not history. */
export const EARLIEST_MEASURED_AT = Date.UTC(2000, 0, 1);

/**
 * Largest number read as epoch milliseconds (year 5138): above it, `ts` is in micro- or
 * nanoseconds (1.7e18 is a Unix time in ns), and past 8.64e15 it is not even a JavaScript date.
 */
export const LATEST_EPOCH_MS = 1e14;

/** ISO-8601 date-time WITH a zone (Z or ±hh:mm): a zoneless time is ambiguous, so refused. */
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Converts `ts` to epoch ms, or explains why it cannot:
 * 1. a number is epoch milliseconds, an integer from 2000-01-01;
 * 2. a string is ISO-8601 with a zone designator;
 * Seconds, microseconds and nanoseconds are refused with a hint rather than guessed.
 */
export function parseTimestamp(ts: unknown): number | string {
  if (typeof ts === 'number') {
    if (!Number.isInteger(ts)) return 'ts must be an integer number of epoch milliseconds';
    if (ts < 1e11) return `ts=${ts} looks like epoch seconds; send epoch milliseconds`;
    if (ts < EARLIEST_MEASURED_AT) return `ts=${ts} is before 2000-01-01: device clock not set`;
    if (ts > LATEST_EPOCH_MS)
      return `ts=${ts} looks like epoch microseconds or nanoseconds; send epoch milliseconds`;
    return ts;
  }
  if (typeof ts === 'string') {
    if (!ISO_WITH_ZONE.test(ts))
      return `ts="${ts.slice(0, 40)}" is not ISO-8601 with a zone (e.g. 2026-11-22T10:00:00Z)`;
    const ms = Date.parse(ts);
    if (Number.isNaN(ms)) return `ts="${ts.slice(0, 40)}" is not a valid date-time`;
    if (ms < EARLIEST_MEASURED_AT) return `ts="${ts}" is before 2000-01-01: device clock not set`;
    return ms;
  }
  return 'ts must be an ISO-8601 string or epoch milliseconds';
}

const bounded = ({ min, max }: { min: number; max: number }): NumberRule => ({ kind: 'number', min, max });
const axis: NumberRule = {
  kind: 'number',
  min: -READING_BOUNDS.shockG.max,
  max: READING_BOUNDS.shockG.max,
  required: true,
};

/**
 * The native JSON reading of ARCHITECTURE.md §3 (`NativeReadingPayload`), as sent: no type is
 * coerced, `null` reads as absent, and the bounds are the canonical reading's (READING_BOUNDS).
 */
export const NATIVE_READING_SCHEMA = {
  ts: {
    kind: 'custom',
    required: true,
    problem: (value) => {
      const ms = parseTimestamp(value);
      return typeof ms === 'string' ? ms : undefined;
    },
  },
  seq: { kind: 'number', integer: true, min: 0, max: 0xffffffff },
  temperature: bounded(READING_BOUNDS.temperatureC),
  humidity: bounded(READING_BOUNDS.humidityPct),
  shock: bounded(READING_BOUNDS.shockG),
  accel: { kind: 'object', fields: { x: axis, y: axis, z: axis } },
  lat: bounded(READING_BOUNDS.lat),
  lon: bounded(READING_BOUNDS.lon),
  alt: bounded(READING_BOUNDS.altM),
  battery: bounded(READING_BOUNDS.batteryPct),
  door: { kind: 'enum', values: ['open', 'closed'] },
} as const satisfies WireSchema;

/** NATIVE_READING_SCHEMA, compiled once. */
export const validateNativeReading = compileWireSchema(NATIVE_READING_SCHEMA);
