import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ListQueryDto, type Page } from '#src/common/http/pagination.js';
import { ApiProblems } from '#src/common/http/api-problems.decorator.js';
import { Actor } from './actor.decorator.js';
import type { ApiKey } from './api-key.types.js';
import { ApiKeysService, type CreatedApiKey } from './api-keys.service.js';
import {
  ApiKeyIdParams,
  ApiKeyPageDto,
  ApiKeyViewDto,
  CreateApiKeyDto,
  CreatedApiKeyDto,
} from './dto/api-key.dto.js';
import { Requires } from './roles.decorator.js';

@ApiTags('keys')
@Requires('admin')
@Controller('keys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Post()
  @ApiOperation({ summary: 'Create an API key; the response is the only time the key is shown' })
  @ApiCreatedResponse({ type: CreatedApiKeyDto })
  @ApiProblems(400)
  async create(
    @Body() body: CreateApiKeyDto,
    @Actor() actor: string,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<CreatedApiKey> {
    const created = await this.keys.create(body.name, body.role, actor);
    res.header('Location', `/api/v1/keys/${created.id}`);
    return created;
  }

  @Get()
  @ApiOperation({ summary: 'List API keys (never the keys themselves)' })
  @ApiOkResponse({ type: ApiKeyPageDto })
  @ApiProblems(400)
  list(@Query() query: ListQueryDto): Promise<Page<ApiKey>> {
    return this.keys.list(query.cursor, query.limit);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One API key (never the key itself)' })
  @ApiOkResponse({ type: ApiKeyViewDto })
  @ApiProblems(400, 404)
  get(@Param() params: ApiKeyIdParams): Promise<ApiKey> {
    return this.keys.get(params.id);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke an API key: its next request is refused (401)' })
  @ApiNoContentResponse({ description: 'Revoked.' })
  @ApiProblems(400, 404)
  revoke(@Param() params: ApiKeyIdParams): Promise<void> {
    return this.keys.revoke(params.id);
  }
}
