import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor } from '#src/auth/actor.decorator.js';
import { Requires } from '#src/auth/roles.decorator.js';
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
  list(@Query() query: AlertsQueryDto): { items: Alert[]; nextCursor?: string } {
    return this.alerts.list(query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One alert with its history of changes and the readings around it' })
  get(@Param() params: AlertIdParams): Promise<AlertDetail> {
    return this.alerts.detail(params.id);
  }

  @Post(':id/acknowledge')
  @HttpCode(200)
  @Requires('planner')
  @ApiOperation({ summary: 'Acknowledge an alert (recorded with the key name and time)' })
  acknowledge(
    @Param() params: AlertIdParams,
    @Body() body: AcknowledgeAlertDto,
    @Actor() actor: string,
  ): Alert {
    return this.lifecycle.acknowledge(params.id, actor, body.note);
  }

  @Post(':id/clear')
  @HttpCode(200)
  @Requires('planner')
  @ApiOperation({ summary: 'Clear an active alert by hand, with a reason' })
  clear(@Param() params: AlertIdParams, @Body() body: ClearAlertDto, @Actor() actor: string): Alert {
    return this.lifecycle.clear(params.id, actor, body.reason);
  }

  @Post(':id/comments')
  @HttpCode(200)
  @Requires('planner')
  @ApiOperation({ summary: 'Comment on an alert' })
  comment(@Param() params: AlertIdParams, @Body() body: CommentAlertDto, @Actor() actor: string): Alert {
    return this.lifecycle.comment(params.id, actor, body.text);
  }
}
