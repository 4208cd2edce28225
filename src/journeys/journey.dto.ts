import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional } from 'class-validator';
import { DomainError } from '#src/common/domain-error.js';
import {
  IsRangeEnd,
  MAX_TIME_RANGE_MS,
  timeRangeProblem,
} from '#src/common/validation/is-range-end.decorator.js';

/** A time window of at most 400 days; both ends optional (default: the 400 days before `to`). */
export class TimeWindowQueryDto {
  @ApiPropertyOptional({
    format: 'date-time',
    description: 'From this instant (inclusive). Default: 400 days before `to`.',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({
    format: 'date-time',
    description: 'Until this instant (exclusive), after `from` and at most 400 days later. Default: now.',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  @IsRangeEnd()
  to?: string;
}

/**
 * `[from, to)` in epoch ms from optional ISO bounds. The DTO checks a range whose ends are both
 * given; a range ending at the default `to` (now) is checked here, where the clock is known.
 */
export function windowOf(q: TimeWindowQueryDto, nowMs: number): { from: number; to: number } {
  const to = q.to === undefined ? nowMs + 1 : Date.parse(q.to);
  const from = q.from === undefined ? to - MAX_TIME_RANGE_MS : Date.parse(q.from);
  const problem = timeRangeProblem(from, to, {
    from: 'from',
    to: q.to === undefined ? 'to (default: now)' : 'to',
  });
  if (problem !== undefined) {
    throw new DomainError('invalid', 'common.bad-range', problem, { errors: [problem] });
  }
  return { from, to };
}
