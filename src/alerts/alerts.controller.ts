import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor } from '#src/auth/actor.decorator.js';
import { Requires } from '#src/auth/roles.decorator.js';
import { ApiProblems } from '#src/common/http/api-problems.decorator.js';
import { AlertLifecycleService } from './alert-lifecycle.service.js';
import type { Alert } from './alert.types.js';
import { AlertsService, type AlertDetail } from './alerts.service.js';
import {
  AcknowledgeAlertDto,
  AlertIdParams,
  AlertsQueryDto,
  ClearAlertDto,
  CommentAlertDto,
} from './dto/alerts-query.dto.js';
import { AlertDetailDto, AlertDto, AlertPageDto } from './dto/alert.dto.js';

@ApiTags('alerts')
@Controller('alerts')
@Requires('viewer')
export class AlertsController {
  constructor(
    private readonly alerts: AlertsService,
    private readonly lifecycle: AlertLifecycleService,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'Alerts, newest first, filtered by status, severity, container, shipment, site, time',
  })
  @ApiOkResponse({ type: AlertPageDto })
  @ApiProblems(400)
  list(@Query() query: AlertsQueryDto): Promise<{ items: Alert[]; nextCursor?: string }> {
    return this.alerts.list(query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One alert with its history of changes and the readings around it' })
  @ApiOkResponse({ type: AlertDetailDto })
  @ApiProblems(400, 404)
  get(@Param() params: AlertIdParams): Promise<AlertDetail> {
    return this.alerts.detail(params.id);
  }

  @Post(':id/acknowledge')
  @HttpCode(200)
  @Requires('planner')
  @ApiOperation({ summary: 'Acknowledge an alert (recorded with the key name and time)' })
  @ApiOkResponse({ type: AlertDto, description: 'The alert after the change.' })
  @ApiProblems(400, 404, 409)
  acknowledge(
    @Param() params: AlertIdParams,
    @Body() body: AcknowledgeAlertDto,
    @Actor() actor: string,
  ): Promise<Alert> {
    return this.lifecycle.acknowledge(params.id, actor, body.note);
  }

  @Post(':id/clear')
  @HttpCode(200)
  @Requires('planner')
  @ApiOperation({ summary: 'Clear an active alert by hand, with a reason' })
  @ApiOkResponse({ type: AlertDto, description: 'The alert after the change.' })
  @ApiProblems(400, 404, 409)
  clear(@Param() params: AlertIdParams, @Body() body: ClearAlertDto, @Actor() actor: string): Promise<Alert> {
    return this.lifecycle.clear(params.id, actor, body.reason);
  }

  @Post(':id/comments')
  @HttpCode(200)
  @Requires('planner')
  @ApiOperation({ summary: 'Comment on an alert' })
  @ApiOkResponse({ type: AlertDto, description: 'The alert after the change.' })
  @ApiProblems(400, 404, 409)
  comment(
    @Param() params: AlertIdParams,
    @Body() body: CommentAlertDto,
    @Actor() actor: string,
  ): Promise<Alert> {
    return this.lifecycle.comment(params.id, actor, body.text);
  }
}
