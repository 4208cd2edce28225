import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  Max,
  Min,
  ValidateNested,
  ValidationArguments,
  ValidatorConstraint,
  ValidatorConstraintInterface,
  Validate,
} from 'class-validator';
import { READING_BOUNDS } from '#src/contracts/reading.js';

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

@ValidatorConstraint({ name: 'isTimestamp' })
class IsTimestampConstraint implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return typeof parseTimestamp(value) === 'number';
  }

  defaultMessage(args: ValidationArguments): string {
    const why = parseTimestamp(args.value);
    return typeof why === 'string' ? why : 'ts is invalid';
  }
}

const FINITE = { allowNaN: false, allowInfinity: false } as const;

export class AccelerationDto {
  @IsNumber(FINITE)
  @Min(-READING_BOUNDS.shockG.max)
  @Max(READING_BOUNDS.shockG.max)
  x: number;

  @IsNumber(FINITE)
  @Min(-READING_BOUNDS.shockG.max)
  @Max(READING_BOUNDS.shockG.max)
  y: number;

  @IsNumber(FINITE)
  @Min(-READING_BOUNDS.shockG.max)
  @Max(READING_BOUNDS.shockG.max)
  z: number;
}

/** The native JSON reading of ARCHITECTURE.md §3, validated as sent (no type coercion). */
export class NativeReadingDto {
  /** Device time: ISO-8601 with a zone, or epoch milliseconds. */
  @Validate(IsTimestampConstraint)
  ts: string | number;

  /** Device sequence number (uint32). */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(0xffffffff)
  seq?: number;

  /** °C */
  @IsOptional()
  @IsNumber(FINITE)
  @Min(READING_BOUNDS.temperatureC.min)
  @Max(READING_BOUNDS.temperatureC.max)
  temperature?: number;

  /** % relative humidity */
  @IsOptional()
  @IsNumber(FINITE)
  @Min(READING_BOUNDS.humidityPct.min)
  @Max(READING_BOUNDS.humidityPct.max)
  humidity?: number;

  /** Peak g */
  @IsOptional()
  @IsNumber(FINITE)
  @Min(READING_BOUNDS.shockG.min)
  @Max(READING_BOUNDS.shockG.max)
  shock?: number;

  /** Per-axis acceleration, g */
  @IsOptional()
  @ValidateNested()
  @Type(() => AccelerationDto)
  accel?: AccelerationDto;

  @IsOptional()
  @IsNumber(FINITE)
  @Min(READING_BOUNDS.lat.min)
  @Max(READING_BOUNDS.lat.max)
  lat?: number;

  @IsOptional()
  @IsNumber(FINITE)
  @Min(READING_BOUNDS.lon.min)
  @Max(READING_BOUNDS.lon.max)
  lon?: number;

  /** Metres */
  @IsOptional()
  @IsNumber(FINITE)
  @Min(READING_BOUNDS.altM.min)
  @Max(READING_BOUNDS.altM.max)
  alt?: number;

  /** Percent */
  @IsOptional()
  @IsNumber(FINITE)
  @Min(READING_BOUNDS.batteryPct.min)
  @Max(READING_BOUNDS.batteryPct.max)
  battery?: number;

  @IsOptional()
  @IsIn(['open', 'closed'])
  door?: 'open' | 'closed';
}

/** Property names a native reading may have: anything else is refused before validation. */
export const NATIVE_READING_KEYS: ReadonlySet<string> = new Set([
  'ts',
  'seq',
  'temperature',
  'humidity',
  'shock',
  'accel',
  'lat',
  'lon',
  'alt',
  'battery',
  'door',
]);
