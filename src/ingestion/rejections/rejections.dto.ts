import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { IsEntityId } from '#src/common/validation/is-entity-id.decorator.js';
import { REJECTION_REASONS } from '../decode-result.js';

export class RejectionsQueryDto {
  @ApiPropertyOptional({
    minimum: 1,
    maximum: 1000,
    default: 100,
    description: 'How many entries, newest first.',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit = 100;
}

export class DeviceIdParams {
  @ApiProperty({ description: 'Device id.' })
  @IsEntityId()
  id: string;
}

/** One refused message (see RejectionEntry in rejections.log.ts). */
export class RejectionEntryDto {
  @ApiProperty({ format: 'date-time', description: 'When it was refused.' })
  at: string;
  @ApiProperty({ description: 'MQTT topic it was published on.' })
  topic: string;
  @ApiProperty({ enum: ['json', 'chirpstack', 'tts', 'unknown'], description: 'Payload format.' })
  source: string;
  @ApiProperty({ enum: REJECTION_REASONS, description: 'Why, as counted in `convoi_ingest_rejected_total`.' })
  reason: string;
  @ApiProperty({ description: 'What was wrong, and for `unbound-device` how to fix it.' })
  detail: string;
  @ApiPropertyOptional({ description: 'Device, when known.' })
  deviceId?: string;
  @ApiProperty({ description: 'The start of the payload: JSON text when printable, else hex.' })
  excerpt: string;
}

export class RejectionsDto {
  @ApiProperty({ type: [RejectionEntryDto], description: 'Newest first.' })
  items: RejectionEntryDto[];
}
