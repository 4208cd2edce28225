import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiHeader,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  IntersectionType,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Actor } from '#src/auth/actor.decorator.js';
import { Requires } from '#src/auth/roles.decorator.js';
import { ListQueryDto, type Page } from '#src/common/http/pagination.js';
import { IF_MATCH, sendCreated, sendVersioned } from '#src/common/http/versioned-response.js';
import { ApiProblems } from '#src/common/http/api-problems.decorator.js';
import {
  CreateShipmentDto,
  ShipmentIdParams,
  ShipmentListQueryDto,
  ShipmentPageDto,
  ShipmentStatusChangeDto,
  ShipmentViewDto,
  ShipmentWithJourneyDto,
  UpdateShipmentDto,
} from './dto/shipment.dto.js';
import { ShipmentJourneyViews } from './shipment-journey-view.port.js';
import type { Shipment } from './shipment.types.js';
import { ShipmentsService } from './shipments.service.js';

class ShipmentsQueryDto extends IntersectionType(ListQueryDto, ShipmentListQueryDto) {}

@ApiTags('shipments')
@Requires('viewer')
@Controller('shipments')
export class ShipmentsController {
  constructor(
    private readonly shipments: ShipmentsService,
    private readonly journeys: ShipmentJourneyViews,
  ) {}

  @Post()
  @Requires('planner')
  @ApiOperation({ summary: 'Plan a shipment: container, origin, destination, profile, planned times' })
  @ApiCreatedResponse({ type: ShipmentViewDto, description: 'Created (planned); `Location` and `ETag` set.' })
  @ApiProblems(400, 409)
  async create(
    @Body() body: CreateShipmentDto,
    @Actor() actor: string,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<Shipment> {
    const created = await this.shipments.create(body, actor);
    return sendCreated(res, '/api/v1/shipments', created.value.id, created);
  }

  @Get()
  @ApiOperation({
    summary: 'List shipments in creation order; filter by status, site, container, planned window',
  })
  @ApiOkResponse({ type: ShipmentPageDto })
  @ApiProblems(400)
  list(@Query() query: ShipmentsQueryDto): Promise<Page<Shipment>> {
    return this.shipments.list(query);
  }

  @Get(':id')
  @ApiOperation({
    summary: 'A shipment (with its `ETag`); on the road, `journey`: position, progress, ETA, delay',
  })
  @ApiOkResponse({ type: ShipmentWithJourneyDto })
  @ApiProblems(400, 404)
  async get(
    @Param() params: ShipmentIdParams,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<Shipment> {
    const found = await this.shipments.get(params.id);
    const journey = this.journeys.viewOf(found.value);
    return { ...sendVersioned(res, found), ...(journey !== undefined && { journey }) };
  }

  @Patch(':id')
  @Requires('planner')
  @ApiOperation({
    summary: 'Change a shipment (on the road: destination, arrival, carrier, reference, overrides)',
  })
  @ApiHeader(IF_MATCH)
  @ApiOkResponse({ type: ShipmentViewDto })
  @ApiProblems(400, 404, 409, 412, 428)
  async update(
    @Param() params: ShipmentIdParams,
    @Body() body: UpdateShipmentDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<Shipment> {
    return sendVersioned(res, await this.shipments.update(params.id, body, ifMatch));
  }

  @Post(':id/status')
  @Requires('planner')
  @HttpCode(200)
  @ApiOperation({ summary: 'Move a shipment to its next status (illegal transitions: 409)' })
  @ApiHeader({
    ...IF_MATCH,
    required: false,
    description: 'Optional: ETag of your last read (412 when stale).',
  })
  @ApiOkResponse({ type: ShipmentViewDto })
  @ApiProblems(400, 404, 409, 412)
  async changeStatus(
    @Param() params: ShipmentIdParams,
    @Body() body: ShipmentStatusChangeDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Actor() actor: string,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<Shipment> {
    return sendVersioned(res, await this.shipments.changeStatus(params.id, body, ifMatch, actor));
  }

  @Delete(':id')
  @Requires('planner')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a planned or cancelled shipment' })
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiHeader(IF_MATCH)
  @ApiProblems(400, 404, 409, 412, 428)
  delete(@Param() params: ShipmentIdParams, @Headers('if-match') ifMatch: string | undefined): Promise<void> {
    return this.shipments.delete(params.id, ifMatch);
  }
}
