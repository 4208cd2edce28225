import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import type { Disposition } from './record.types.js';

export const RECORD_FORMATS = ['json', 'csv', 'html'] as const;
export type RecordFormat = (typeof RECORD_FORMATS)[number];
export const DISPOSITIONS: readonly Disposition[] = ['accept', 'inspect', 'reject'];

export class RecordQueryDto {
  @ApiPropertyOptional({
    enum: RECORD_FORMATS,
    description: '`json` (default), `csv` (the temperature series), `html` (printable).',
  })
  @IsOptional()
  @IsIn(RECORD_FORMATS)
  format?: RecordFormat;
}

export class DispositionDecisionDto {
  @ApiProperty({
    enum: DISPOSITIONS,
    description: 'The planner’s decision: confirms or overrides the computed one.',
  })
  @IsIn(DISPOSITIONS)
  decision: Disposition;

  @ApiProperty({ minLength: 1, maxLength: 1000, description: 'Why (kept with the key name and time).' })
  @IsString()
  @MinLength(1)
  @MaxLength(1000)
  reason: string;
}
