import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional } from 'class-validator';

/** A time window; both ends optional (default: everything). */
export class TimeWindowQueryDto {
  @ApiPropertyOptional({ format: 'date-time', description: 'From this instant (inclusive).' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Until this instant (exclusive).' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;
}

/** `[from, to)` in epoch ms from optional ISO bounds. */
export function windowOf(q: TimeWindowQueryDto, nowMs: number): { from: number; to: number } {
  return {
    from: q.from === undefined ? 0 : Date.parse(q.from),
    to: q.to === undefined ? nowMs + 1 : Date.parse(q.to),
  };
}
