import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Requires } from '#src/auth/roles.decorator.js';
import { Clock } from '#src/common/clock.js';
import { ContainerIdParams } from '#src/fleet/dto/container.dto.js';
import { ContainersService } from '#src/fleet/containers.service.js';
import { ApiProblems } from '#src/common/http/api-problems.decorator.js';
import { ShipmentIdParams } from '#src/shipments/dto/shipment.dto.js';
import { ContainerJourneyDto, ShipmentJourneyDto } from './journey-view.dto.js';
import { JourneyViewService } from './journey-view.service.js';
import { TimeWindowQueryDto, windowOf } from './journey.dto.js';
import type { JourneyEvent } from './journey.types.js';
import type { ShipmentJourneyView } from '#src/shipments/shipment-journey-view.types.js';

@ApiTags('journeys')
@Requires('viewer')
@Controller()
export class JourneyController {
  constructor(
    private readonly journeys: JourneyViewService,
    private readonly containers: ContainersService,
    private readonly clock: Clock,
  ) {}

  @Get('shipments/:id/journey')
  @ApiOperation({
    summary:
      'A shipment’s journey: position, ETA, and its events (geofence crossings, stops, status changes)',
  })
  @ApiOkResponse({ type: ShipmentJourneyDto })
  @ApiProblems(400, 404)
  shipment(@Param() params: ShipmentIdParams): Promise<{
    shipmentId: string;
    journey: ShipmentJourneyView | null;
    events: JourneyEvent[];
  }> {
    return this.journeys.shipmentJourney(params.id);
  }

  @Get('containers/:id/journey')
  @ApiOperation({ summary: 'A container’s journey events in a window (oldest first, at most 5000)' })
  @ApiOkResponse({ type: ContainerJourneyDto })
  @ApiProblems(400, 404)
  async container(
    @Param() params: ContainerIdParams,
    @Query() query: TimeWindowQueryDto,
  ): Promise<{ containerId: string; events: JourneyEvent[] }> {
    await this.containers.require(params.id);
    const { from, to } = windowOf(query, this.clock.now());
    return { containerId: params.id, events: await this.journeys.containerEvents(params.id, from, to) };
  }
}
