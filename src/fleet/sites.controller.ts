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
  ApiProperty,
  ApiTags,
  IntersectionType,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Requires } from '#src/auth/roles.decorator.js';
import { IsEntityId } from '#src/common/validation/is-entity-id.decorator.js';
import { ApiProblems } from '#src/common/http/api-problems.decorator.js';
import { SiteDto, SiteListQueryDto, SitePageDto, SiteViewDto, UpdateSiteDto } from './dto/site.dto.js';
import type { Site } from './fleet.types.js';
import { ListQueryDto, type Page } from '#src/common/http/pagination.js';
import { SitesService } from './sites.service.js';
import { IF_MATCH, sendCreated, sendVersioned } from '#src/common/http/versioned-response.js';

export class SiteIdParams {
  @ApiProperty({ description: 'Site id.' })
  @IsEntityId()
  id: string;
}

class SitesQueryDto extends IntersectionType(ListQueryDto, SiteListQueryDto) {}

@ApiTags('sites')
@Requires('viewer')
@Controller('sites')
export class SitesController {
  constructor(private readonly sites: SitesService) {}

  @Post()
  @Requires('planner')
  @ApiOperation({ summary: 'Register a site (warehouse, hub, hypermarket, supermarket) with its geofence' })
  @ApiCreatedResponse({ type: SiteViewDto, description: 'Created; `Location` and `ETag` headers set.' })
  @ApiProblems(400, 409)
  async create(@Body() body: SiteDto, @Res({ passthrough: true }) res: FastifyReply): Promise<Site> {
    return sendCreated(res, '/api/v1/sites', body.id, await this.sites.create(body));
  }

  @Get()
  @ApiOperation({ summary: 'List sites, by id, optionally of one kind' })
  @ApiOkResponse({ type: SitePageDto })
  @ApiProblems(400)
  list(@Query() query: SitesQueryDto): Promise<Page<Site>> {
    return this.sites.list(query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'A site (with its `ETag`)' })
  @ApiOkResponse({ type: SiteViewDto })
  @ApiProblems(400, 404)
  async get(@Param() params: SiteIdParams, @Res({ passthrough: true }) res: FastifyReply): Promise<Site> {
    return sendVersioned(res, await this.sites.get(params.id));
  }

  @Patch(':id')
  @Requires('planner')
  @ApiOperation({ summary: 'Change a site (fields given replace the stored ones)' })
  @ApiHeader(IF_MATCH)
  @ApiOkResponse({ type: SiteViewDto })
  @ApiProblems(400, 404, 412, 428)
  async update(
    @Param() params: SiteIdParams,
    @Body() body: UpdateSiteDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<Site> {
    return sendVersioned(res, await this.sites.update(params.id, body, ifMatch));
  }

  @Delete(':id')
  @Requires('planner')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a site no container or shipment refers to' })
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiHeader(IF_MATCH)
  @ApiProblems(400, 404, 409, 412, 428)
  delete(@Param() params: SiteIdParams, @Headers('if-match') ifMatch: string | undefined): Promise<void> {
    return this.sites.delete(params.id, ifMatch);
  }
}
