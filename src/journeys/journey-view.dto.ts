import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ShipmentJourneyViewDto } from '#src/shipments/dto/shipment-journey-view.dto.js';
import { JOURNEY_EVENT_TYPES } from './journey.types.js';

/** OpenAPI schemas of journeys as served (journey.types.ts). */
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
