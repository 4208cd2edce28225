import { Transform, Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import type { AlertSeverity, AlertStatus } from '#src/contracts/alert-event.js';
import { IsEntityId } from '#src/common/validation/is-entity-id.decorator.js';
import { IsRangeEnd } from '#src/common/validation/is-range-end.decorator.js';

export class AlertsQueryDto {
  @IsOptional()
  @IsIn(['active', 'cleared'])
  status?: AlertStatus;

  /** `true` or `false`. */
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  acknowledged?: boolean;

  @IsOptional()
  @IsIn(['info', 'warning', 'critical'])
  severity?: AlertSeverity;

  @IsOptional()
  @IsEntityId()
  containerId?: string;

  @IsOptional()
  @IsEntityId()
  shipmentId?: string;

  /** Alerts of containers based at this site. */
  @IsOptional()
  @IsEntityId()
  siteId?: string;

  /** Rule id, e.g. `temperature-high`. */
  @IsOptional()
  @IsEntityId()
  rule?: string;

  /** Opened at or after (ISO-8601). */
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  /** Opened before (ISO-8601); with `from`, after it and at most 400 days later. */
  @IsOptional()
  @IsISO8601({ strict: true })
  @IsRangeEnd()
  to?: string;

  /** Page size, 1–500 (default 100). */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit = 100;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;
}

export class AlertIdParams {
  @IsString()
  @MaxLength(64)
  id: string;
}

export class AcknowledgeAlertDto {
  /** Optional note recorded with the acknowledgement. */
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  note?: string;
}

export class ClearAlertDto {
  /** Why the alert is cleared by hand (recorded). */
  @IsString()
  @MaxLength(1000)
  reason: string;
}

export class CommentAlertDto {
  @IsString()
  @MaxLength(2000)
  text: string;
}
