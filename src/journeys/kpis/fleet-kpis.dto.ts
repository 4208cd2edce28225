import { ApiProperty } from '@nestjs/swagger';

/** OpenAPI schemas of the KPI answers (the definitions are in container-kpis.util.ts). */
export class SiteTimeDto {
  @ApiProperty({ description: 'Site id.' })
  siteId: string;
  @ApiProperty({ type: String, nullable: true, description: 'Kind of the site, null if unknown.' })
  siteKind: string | null;
  @ApiProperty({ description: "Visits: entries into the site's geofence in the window." })
  visits: number;
  @ApiProperty({ description: 'Time inside the geofence, minutes (an open visit counts until `to` or now).' })
  totalMin: number;
}

export class RotationDto {
  @ApiProperty({ description: 'The warehouse left and returned to.' })
  warehouseId: string;
  @ApiProperty({ format: 'date-time', description: 'When the container left the warehouse.' })
  departedAt: string;
  @ApiProperty({ format: 'date-time', description: 'When it entered the same warehouse again.' })
  returnedAt: string;
  @ApiProperty({ description: 'Length of the rotation, minutes.' })
  durationMin: number;
  @ApiProperty({ type: [String], description: 'Stores (hypermarkets, supermarkets) visited on the way.' })
  storeIds: string[];
}

export class ContainerKpisDto {
  @ApiProperty({ description: 'Container id.' })
  containerId: string;
  @ApiProperty({ description: 'Trips: leaving one site and next entering a different one.' })
  trips: number;
  @ApiProperty({
    type: [RotationDto],
    description:
      'Rotations: leaving a warehouse, visiting at least one store, entering that warehouse again.',
  })
  rotations: RotationDto[];
  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'Mean rotation length, minutes; null without one.',
  })
  meanRotationMin: number | null;
  @ApiProperty({ type: [SiteTimeDto], description: 'Visits and time inside each site entered.' })
  sites: SiteTimeDto[];
}

export class FleetKpisDto {
  @ApiProperty({ format: 'date-time', description: 'Start of the window (inclusive).' })
  from: string;
  @ApiProperty({ format: 'date-time', description: 'End of the window (exclusive).' })
  to: string;
  @ApiProperty({ description: 'Containers registered now: the size of the fleet.' })
  containers: number;
  @ApiProperty({
    description:
      'Containers that entered or left at least one site geofence in the window (the ones the other ' +
      'figures are computed from); a container with no position, or that stayed on the road, is not one.',
  })
  containersSeenAtSites: number;
  @ApiProperty({ description: 'Trips of all containers in the window (see the container KPIs).' })
  trips: number;
  @ApiProperty({ description: 'Rotations completed in the window by all containers.' })
  rotations: number;
  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'Mean rotation length, minutes; null without one.',
  })
  meanRotationMin: number | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'number' },
    example: { warehouse: 1260.5, hypermarket: 95 },
    description: 'Time spent inside sites of each kind, minutes, summed over containers.',
  })
  minutesBySiteKind: Record<string, number>;
}
