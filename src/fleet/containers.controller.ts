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
  ApiParam,
  ApiTags,
  IntersectionType,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Requires } from '#src/auth/roles.decorator.js';
import { EntityIdPipe } from '#src/common/http/entity-id.pipe.js';
import { ApiProblems } from '#src/common/http/api-problems.decorator.js';
import { ContainerReadingsService, type ReadingsResult } from './container-readings.service.js';
import { ContainersService, type ContainerView } from './containers.service.js';
import {
  ContainerDto,
  ContainerListQueryDto,
  ContainerPageDto,
  ContainerViewDto,
  UpdateContainerDto,
} from './dto/container.dto.js';
import { ReadingsQueryDto } from './dto/readings-query.dto.js';
import { ReadingsDto } from './dto/readings.dto.js';
import { ListQueryDto, type Page } from '#src/common/http/pagination.js';
import { IF_MATCH, sendCreated, sendVersioned } from '#src/common/http/versioned-response.js';

export { ContainerIdParams } from './dto/container.dto.js';
export { ListQueryDto } from '#src/common/http/pagination.js';

class ContainersQueryDto extends IntersectionType(ListQueryDto, ContainerListQueryDto) {}

/** The `:id` of the routes below: checked by one regular expression, not a params DTO (hot path). */
const ContainerId = (): MethodDecorator => ApiParam({ name: 'id', description: 'Container id.' });

@ApiTags('containers')
@Requires('viewer')
@Controller('containers')
export class ContainersController {
  constructor(
    private readonly containers: ContainersService,
    private readonly readings: ContainerReadingsService,
  ) {}

  @Post()
  @Requires('planner')
  @ApiOperation({ summary: 'Register a container (reefer, roll cage, pallet, dry box)' })
  @ApiCreatedResponse({ type: ContainerViewDto, description: 'Created; `Location` and `ETag` headers set.' })
  @ApiProblems(400, 409)
  async create(
    @Body() body: ContainerDto,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<ContainerView> {
    return sendCreated(res, '/api/v1/containers', body.id, await this.containers.create(body));
  }

  @Get()
  @ApiOperation({ summary: 'List containers with their live state, by id; filter by kind and home site' })
  @ApiOkResponse({ type: ContainerPageDto })
  @ApiProblems(400)
  list(@Query() query: ContainersQueryDto): Promise<Page<ContainerView>> {
    return this.containers.list(query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'A container and its live state (newest value of each measurement)' })
  @ApiOkResponse({ type: ContainerViewDto })
  @ContainerId()
  @ApiProblems(400, 404)
  async get(
    @Param('id', EntityIdPipe) id: string,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<ContainerView> {
    return sendVersioned(res, await this.containers.getVersioned(id));
  }

  @Patch(':id')
  @Requires('planner')
  @ApiOperation({ summary: 'Change a container (`null` clears siteId or notes)' })
  @ApiHeader(IF_MATCH)
  @ApiOkResponse({ type: ContainerViewDto })
  @ContainerId()
  @ApiProblems(400, 404, 412, 428)
  async update(
    @Param('id', EntityIdPipe) id: string,
    @Body() body: UpdateContainerDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<ContainerView> {
    return sendVersioned(res, await this.containers.update(id, body, ifMatch));
  }

  @Delete(':id')
  @Requires('planner')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a container that never carried a device or a shipment' })
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiHeader(IF_MATCH)
  @ContainerId()
  @ApiProblems(400, 404, 409, 412, 428)
  delete(
    @Param('id', EntityIdPipe) id: string,
    @Headers('if-match') ifMatch: string | undefined,
  ): Promise<void> {
    return this.containers.delete(id, ifMatch);
  }

  @Get(':id/readings')
  @ApiOperation({ summary: "A container's readings, raw or aggregated (`every`, `fn`)" })
  @ApiOkResponse({ type: ReadingsDto })
  @ContainerId()
  @ApiProblems(400, 404)
  readingsOf(
    @Param('id', EntityIdPipe) id: string,
    @Query() query: ReadingsQueryDto,
  ): Promise<ReadingsResult> {
    return this.readings.query(id, query);
  }
}
