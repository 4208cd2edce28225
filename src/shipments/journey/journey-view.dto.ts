import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { JOURNEY_EVENT_TYPES } from './journey.types.js';

/** OpenAPI schemas of journeys as served (journey.types.ts). */
export class GeoPositionDto {
  @ApiProperty({ description: 'Latitude, degrees WGS84.' })
  lat: number;
  @ApiProperty({ description: 'Longitude, degrees WGS84.' })
  lon: number;
}

export class ShipmentJourneyViewDto {
  @ApiProperty({ type: GeoPositionDto, nullable: true, description: 'Newest fix.' })
  position: GeoPositionDto | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Progress along the route, %.' })
  progressPct: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Remaining distance, km.' })
  remainingKm: number | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time', description: 'Estimated arrival.' })
  eta: string | null;
  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'ETA minus planned arrival, minutes; positive when late (once arrived, the actual delay).',
  })
  delayMin: number | null;
  @ApiProperty({
    enum: ['moving', 'stopped', 'stale', 'unknown'],
    description: 'How far the ETA can be trusted.',
  })
  confidence: string;
  @ApiProperty({ description: 'What the ETA is based on, in words.' })
  basis: string;
  @ApiProperty({ enum: ['unknown', 'moving', 'stopped'] })
  motion: string;
  @ApiProperty({ type: String, nullable: true, format: 'date-time', description: 'Time of the newest fix.' })
  lastFixAt: string | null;
  @ApiProperty({ type: [String], description: 'Sites the container is inside now.' })
  insideSiteIds: string[];
}

export class JourneyEventDto {
  @ApiProperty()
  containerId: string;
  @ApiPropertyOptional()
  shipmentId?: string;
  @ApiProperty({
    enum: JOURNEY_EVENT_TYPES,
    description:
      '`enter`/`leave`: a geofence crossing; `site-dwell`: a stop inside a site; `stop`: a stop ' +
      'outside every site; `status`: a shipment status change (`detail` says which and who).',
  })
  type: string;
  @ApiPropertyOptional()
  siteId?: string;
  @ApiPropertyOptional()
  siteKind?: string;
  @ApiProperty({ description: 'Epoch ms.' })
  at: number;
  @ApiPropertyOptional({ description: 'End of a stop, epoch ms.' })
  until?: number;
  @ApiPropertyOptional()
  lat?: number;
  @ApiPropertyOptional()
  lon?: number;
  @ApiPropertyOptional({ description: 'JSON text (status changes).' })
  detail?: string;
}

export class ShipmentJourneyDto {
  @ApiProperty()
  shipmentId: string;
  @ApiProperty({ type: ShipmentJourneyViewDto, nullable: true, description: 'Null once finished.' })
  journey: ShipmentJourneyViewDto | null;
  @ApiProperty({ type: [JourneyEventDto], description: 'Oldest first.' })
  events: JourneyEventDto[];
}

export class ContainerJourneyDto {
  @ApiProperty()
  containerId: string;
  @ApiProperty({ type: [JourneyEventDto], description: 'Oldest first, at most 5000.' })
  events: JourneyEventDto[];
}
