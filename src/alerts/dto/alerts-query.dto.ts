import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsISO8601, IsOptional, IsString, MaxLength } from 'class-validator';
import type { AlertSeverity, AlertStatus } from '#src/contracts/alert-event.js';
import { IsEntityId } from '#src/common/validation/is-entity-id.decorator.js';
import { IsRangeEnd } from '#src/common/validation/is-range-end.decorator.js';
import { ListQueryDto } from '#src/common/http/pagination.js';

/** Filters of the alert list, and its page (`limit`, `cursor`) as every list has it. */
export class AlertsQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ enum: ['active', 'cleared'] })
  @IsOptional()
  @IsIn(['active', 'cleared'])
  status?: AlertStatus;

  @ApiPropertyOptional({ type: Boolean, description: '`true` or `false`.' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  acknowledged?: boolean;

  @ApiPropertyOptional({ enum: ['info', 'warning', 'critical'] })
  @IsOptional()
  @IsIn(['info', 'warning', 'critical'])
  severity?: AlertSeverity;

  @ApiPropertyOptional({ description: 'Alerts of this container.' })
  @IsOptional()
  @IsEntityId()
  containerId?: string;

  @ApiPropertyOptional({ description: 'Alerts of this shipment.' })
  @IsOptional()
  @IsEntityId()
  shipmentId?: string;

  @ApiPropertyOptional({ description: 'Alerts of containers based at this site.' })
  @IsOptional()
  @IsEntityId()
  siteId?: string;

  @ApiPropertyOptional({ example: 'temperature-high', description: 'Rule id.' })
  @IsOptional()
  @IsEntityId()
  rule?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Opened at or after.' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({
    format: 'date-time',
    description: 'Opened before; with `from`, after it and at most 400 days later.',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  @IsRangeEnd()
  to?: string;
}

export class AlertIdParams {
  @ApiProperty({ description: 'Alert id.' })
  @IsEntityId()
  id: string;
}

export class AcknowledgeAlertDto {
  @ApiPropertyOptional({ maxLength: 1000, description: 'Note recorded with the acknowledgement.' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  note?: string;
}

export class ClearAlertDto {
  @ApiProperty({ maxLength: 1000, description: 'Why the alert is cleared by hand (recorded).' })
  @IsString()
  @MaxLength(1000)
  reason: string;
}

export class CommentAlertDto {
  @ApiProperty({ maxLength: 2000, description: 'The comment (recorded with the key name and time).' })
  @IsString()
  @MaxLength(2000)
  text: string;
}
