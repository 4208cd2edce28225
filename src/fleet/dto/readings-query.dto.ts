import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, Matches, Max, Min } from 'class-validator';
import { MAX_TIME_RANGE_MS } from '#src/common/validation/is-range-end.decorator.js';
import { AGGREGATE_FUNCTIONS, type AggregateFunction } from '#src/telemetry/telemetry.ports.js';

/** Aggregation bucket width: 1m to 1d, as `<n>s|m|h|d`. */
export const EVERY_PATTERN = /^([1-9]\d{0,4})(s|m|h|d)$/;
const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
export const MIN_EVERY_MS = 60_000;
export const MAX_EVERY_MS = 86_400_000;
/** Longest history one request may ask for (the same bound as every other time range). */
export const MAX_RANGE_MS = MAX_TIME_RANGE_MS;
/** Most buckets one aggregate request may produce. */
export const MAX_BUCKETS = 10_000;

export function everyToMs(every: string): number {
  const m = EVERY_PATTERN.exec(every);
  return m ? Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS] : NaN;
}

export class ReadingsQueryDto {
  @ApiPropertyOptional({
    format: 'date-time',
    description: 'Start of the range (inclusive), ISO-8601. Default: 24 h before `to`.',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({
    format: 'date-time',
    description: 'End of the range (exclusive), ISO-8601, at most 400 days after `from`. Default: now.',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;

  @ApiPropertyOptional({
    minimum: 1,
    maximum: 10_000,
    default: 1000,
    description: 'Maximum rows; the newest rows of the range are returned, oldest first.',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(10_000)
  limit = 1000;

  @ApiPropertyOptional({
    pattern: EVERY_PATTERN.source,
    example: '1h',
    description:
      'Aggregate into buckets of this width, from `1m` to `1d` (e.g. `5m`, `1h`); at most 10,000 buckets.',
  })
  @IsOptional()
  @Matches(EVERY_PATTERN, { message: 'every must look like 5m, 1h or 1d' })
  every?: string;

  @ApiPropertyOptional({
    enum: AGGREGATE_FUNCTIONS,
    description: 'Aggregation function (with `every`; default `mean`).',
  })
  @IsOptional()
  @IsIn(AGGREGATE_FUNCTIONS)
  fn?: AggregateFunction;
}
