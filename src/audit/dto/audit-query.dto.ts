import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional, IsString, MaxLength } from 'class-validator';
import { IsRangeEnd } from '#src/common/validation/is-range-end.decorator.js';
import { ListQueryDto, PageMetaDto } from '#src/common/http/pagination.js';

export class AuditQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ description: 'Name of the API key that acted.', example: 'planning-lyon' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  actor?: string;

  @ApiPropertyOptional({ description: 'Action, e.g. `shipment.create`, `key.revoke`.' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  action?: string;

  @ApiPropertyOptional({ description: 'Id of the resource acted on.' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  target?: string;

  @ApiPropertyOptional({ description: 'From this instant (ISO-8601, inclusive).' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({
    description:
      'Until this instant (ISO-8601, exclusive); with `from`, after it and at most 400 days later.',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  @IsRangeEnd()
  to?: string;
}

export class AuditEntryDto {
  @ApiProperty({ example: 42 })
  id: number;
  @ApiProperty({ example: '2026-11-22T08:00:00.000Z' })
  at: string;
  @ApiProperty({ description: 'Name of the API key that acted (never the key).', example: 'planning-lyon' })
  actor: string;
  @ApiProperty({ example: 'shipment.create' })
  action: string;
  @ApiProperty({ example: 'POST' })
  method: string;
  @ApiProperty({ example: '/api/v1/shipments' })
  path: string;
  @ApiPropertyOptional({ example: 'shp-0001' })
  target?: string;
  @ApiProperty({ description: 'HTTP status of the outcome.', example: 201 })
  status: number;
}

export class AuditPageDto extends PageMetaDto {
  @ApiProperty({ type: [AuditEntryDto] })
  items: AuditEntryDto[];
}
