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
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Requires } from '#src/auth/roles.decorator.js';
import { ListQueryDto, type Page } from '#src/common/http/pagination.js';
import { IF_MATCH, sendCreated, sendVersioned } from '#src/common/http/versioned-response.js';
import { ApiProblems } from '#src/common/http/api-problems.decorator.js';
import {
  CreateProfileDto,
  ProfileIdParams,
  ProfilePageDto,
  ProfileViewDto,
  UpdateProfileDto,
} from './profiles.dto.js';
import type { StoredProfile } from './profiles.repository.js';
import { ProfilesService } from './profiles.service.js';

@ApiTags('profiles')
@Requires('viewer')
@Controller('profiles')
export class ProfilesController {
  constructor(private readonly profiles: ProfilesService) {}

  @Post()
  @Requires('planner')
  @ApiOperation({ summary: 'Create a product profile from a seeded one, changing the figures given' })
  @ApiCreatedResponse({ type: ProfileViewDto, description: 'Created; `Location` and `ETag` headers set.' })
  @ApiProblems(400, 409)
  async create(
    @Body() body: CreateProfileDto,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<StoredProfile> {
    return sendCreated(res, '/api/v1/profiles', body.id, await this.profiles.create(body));
  }

  @Get()
  @ApiOperation({ summary: 'List product profiles (seeded ATP ones and planners’ own), by id' })
  @ApiOkResponse({ type: ProfilePageDto })
  @ApiProblems(400)
  list(@Query() query: ListQueryDto): Promise<Page<StoredProfile>> {
    return this.profiles.list(query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'A product profile' })
  @ApiOkResponse({ type: ProfileViewDto })
  @ApiProblems(400, 404)
  async get(
    @Param() params: ProfileIdParams,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<StoredProfile> {
    return sendVersioned(res, await this.profiles.get(params.id));
  }

  @Patch(':id')
  @Requires('planner')
  @ApiOperation({ summary: 'Change a planner’s profile (seeded ones are read-only: 409)' })
  @ApiHeader(IF_MATCH)
  @ApiOkResponse({ type: ProfileViewDto })
  @ApiProblems(400, 404, 409, 412, 428)
  async update(
    @Param() params: ProfileIdParams,
    @Body() body: UpdateProfileDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<StoredProfile> {
    return sendVersioned(res, await this.profiles.update(params.id, body, ifMatch));
  }

  @Delete(':id')
  @Requires('planner')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a planner’s profile no shipment uses' })
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiHeader(IF_MATCH)
  @ApiProblems(400, 404, 409, 412, 428)
  delete(@Param() params: ProfileIdParams, @Headers('if-match') ifMatch: string | undefined): Promise<void> {
    return this.profiles.delete(params.id, ifMatch);
  }
}
