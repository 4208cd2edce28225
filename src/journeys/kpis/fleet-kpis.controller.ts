import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Requires } from '#src/auth/roles.decorator.js';
import { Clock } from '#src/common/clock.js';
import { ContainerIdParams } from '#src/fleet/dto/container.dto.js';
import { ApiProblems } from '#src/common/http/api-problems.decorator.js';
import { TimeWindowQueryDto, windowOf } from '#src/journeys/journey.dto.js';
import type { ContainerKpis } from './container-kpis.util.js';
import { ContainerKpisDto, FleetKpisDto } from './fleet-kpis.dto.js';
import { FleetKpisService, type FleetKpis } from './fleet-kpis.service.js';

@ApiTags('fleet')
@Requires('viewer')
@Controller()
export class FleetKpisController {
  constructor(
    private readonly kpis: FleetKpisService,
    private readonly clock: Clock,
  ) {}

  @Get('containers/:id/kpis')
  @ApiOperation({
    summary: 'A container’s trips, rotations (warehouse → store → back) and time at each site',
  })
  @ApiOkResponse({ type: ContainerKpisDto })
  @ApiProblems(400, 404)
  container(
    @Param() params: ContainerIdParams,
    @Query() query: TimeWindowQueryDto,
  ): Promise<ContainerKpis & { containerId: string }> {
    const { from, to } = windowOf(query, this.clock.now());
    return this.kpis.container(params.id, from, to);
  }

  @Get('fleet/kpis')
  @ApiOperation({
    summary: 'Fleet summary: fleet size, containers seen at sites, trips, rotations, time by site kind',
  })
  @ApiOkResponse({ type: FleetKpisDto, description: 'Fleet KPIs over the window `[from, to)`.' })
  @ApiProblems(400)
  fleet(@Query() query: TimeWindowQueryDto): Promise<FleetKpis> {
    const { from, to } = windowOf(query, this.clock.now());
    return this.kpis.fleet(from, to);
  }
}
