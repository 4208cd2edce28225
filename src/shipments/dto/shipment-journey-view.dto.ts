import { ApiProperty } from '@nestjs/swagger';

/** OpenAPI schema of a shipment's journey as `GET /shipments/:id` serves it (shipment-journey-view.types.ts). */
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
