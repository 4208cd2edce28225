import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsISO8601,
  IsNumber,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { IsEntityId } from '#src/common/validation/is-entity-id.decorator.js';
import { TemperatureBandDto, ToleratedExcursionDto } from '#src/profiles/profiles.dto.js';
import { ShipmentJourneyViewDto } from './shipment-journey-view.dto.js';
import { SHIPMENT_STATUSES, type ShipmentStatus } from '#src/contracts/shipment-status.js';

export class ShipmentOverridesDto {
  @ApiPropertyOptional({ type: TemperatureBandDto, description: 'Replaces the profile band, °C.' })
  @IsOptional()
  @ValidateNested()
  @Type(() => TemperatureBandDto)
  temperature?: TemperatureBandDto;

  @ApiPropertyOptional({ type: ToleratedExcursionDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => ToleratedExcursionDto)
  toleratedExcursion?: ToleratedExcursionDto;

  @ApiPropertyOptional({ description: 'Shock limit, g (0.5–200).' })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0.5)
  @Max(200)
  shockLimitG?: number;

  @ApiPropertyOptional({ description: 'Expected reading interval, seconds (10–86400).' })
  @IsOptional()
  @IsInt()
  @Min(10)
  @Max(86_400)
  expectedIntervalS?: number;
}

export class CreateShipmentDto {
  @ApiProperty({ description: 'Container carrying the goods (at most one active shipment each).' })
  @IsEntityId()
  containerId: string;

  @ApiProperty({ description: 'Site the shipment leaves from.' })
  @IsEntityId()
  originSiteId: string;

  @ApiProperty({ description: 'Site the shipment goes to.' })
  @IsEntityId()
  destinationSiteId: string;

  @ApiProperty({ description: 'Product profile id (e.g. `chilled-4`).' })
  @IsEntityId()
  profileId: string;

  @ApiPropertyOptional({ type: ShipmentOverridesDto, description: 'Per-shipment changes to the profile.' })
  @IsOptional()
  @ValidateNested()
  @Type(() => ShipmentOverridesDto)
  overrides?: ShipmentOverridesDto;

  @ApiProperty({ format: 'date-time', description: 'Planned departure, ISO-8601 with zone.' })
  @IsISO8601({ strict: true })
  plannedDeparture: string;

  @ApiProperty({
    format: 'date-time',
    description: 'Planned arrival, ISO-8601 with zone; after the departure.',
  })
  @IsISO8601({ strict: true })
  plannedArrival: string;

  @ApiPropertyOptional({ maxLength: 200, example: 'Transports Martin' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  carrier?: string;

  @ApiPropertyOptional({ maxLength: 200, description: 'Planner’s reference (order, delivery note).' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  reference?: string;
}

export class UpdateShipmentDto extends PartialType(CreateShipmentDto) {}

export class ShipmentStatusChangeDto {
  @ApiProperty({
    enum: SHIPMENT_STATUSES,
    description: 'planned → in_transit → arrived → closed; planned or in_transit → cancelled.',
  })
  @IsIn(SHIPMENT_STATUSES)
  status: ShipmentStatus;

  @ApiPropertyOptional({ format: 'date-time', description: 'When it happened (default now).' })
  @IsOptional()
  @IsISO8601({ strict: true })
  at?: string;
}

export class ShipmentListQueryDto {
  @ApiPropertyOptional({ enum: SHIPMENT_STATUSES })
  @IsOptional()
  @IsIn(SHIPMENT_STATUSES)
  status?: ShipmentStatus;

  @ApiPropertyOptional({ description: 'Shipments from or to this site.' })
  @IsOptional()
  @IsEntityId()
  siteId?: string;

  @ApiPropertyOptional({ description: 'Shipments of this container.' })
  @IsOptional()
  @IsEntityId()
  containerId?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Planned window ends at or after this instant.' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Planned window starts before this instant.' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;
}

export class ShipmentIdParams {
  @ApiProperty({ description: 'Shipment id (`SH-…`).' })
  @IsEntityId()
  id: string;
}

export class ShipmentViewDto extends OmitType(CreateShipmentDto, [] as const) {
  @ApiProperty()
  id: string;
  @ApiProperty({ enum: SHIPMENT_STATUSES })
  status: ShipmentStatus;
  @ApiPropertyOptional({ format: 'date-time' })
  departedAt?: string;
  @ApiPropertyOptional({ format: 'date-time' })
  arrivedAt?: string;
  @ApiPropertyOptional({ format: 'date-time' })
  closedAt?: string;
  @ApiPropertyOptional({ format: 'date-time' })
  cancelledAt?: string;
  @ApiProperty({ description: 'Name of the API key that created it.' })
  createdBy: string;
  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}

/** `GET /shipments/{id}`: on the road, with its journey. */
export class ShipmentWithJourneyDto extends ShipmentViewDto {
  @ApiPropertyOptional({
    type: ShipmentJourneyViewDto,
    description: 'While planned, in transit or arrived, once the container reported a position.',
  })
  journey?: ShipmentJourneyViewDto;
}

export class ShipmentPageDto {
  @ApiProperty({ type: [ShipmentViewDto] })
  items: ShipmentViewDto[];
  @ApiPropertyOptional({ description: 'Cursor of the next page; absent on the last page.' })
  nextCursor?: string;
}
