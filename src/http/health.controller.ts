import { Controller, Get, Res } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '#src/auth/public.decorator.js';
import { HealthCheckDto, HealthReportDto, LivenessDto } from './health-report.dto.js';
import { HealthService, type HealthReport } from './health.service.js';
import { ReadinessService } from './readiness.service.js';

@ApiTags('operations')
@ApiExtraModels(HealthCheckDto)
@Controller('health')
@Public()
export class HealthController {
  constructor(
    private readonly health: HealthService,
    private readonly readiness: ReadinessService,
  ) {}

  @Get()
  @ApiOkResponse({ type: HealthReportDto })
  @ApiServiceUnavailableResponse({ type: HealthReportDto, description: 'A part is down' })
  @ApiOperation({ summary: 'Liveness and readiness: broker, MQTT consumer, stores (503 when down)' })
  async get(@Res({ passthrough: true }) response: FastifyReply): Promise<HealthReport> {
    const report = await this.health.report();
    if (report.status === 'down') response.status(503);
    return report;
  }

  /** Answered by the event loop itself: a blocked or dead process does not answer at all. */
  @Get('live')
  @ApiOkResponse({ type: LivenessDto })
  @ApiOperation({ summary: 'Liveness: the process answers (restart it when this fails)' })
  live(): { status: 'up' } {
    return { status: 'up' };
  }

  @Get('ready')
  @ApiOkResponse({ type: HealthReportDto })
  @ApiServiceUnavailableResponse({ type: HealthReportDto, description: 'The failing part is named' })
  @ApiOperation({
    summary:
      'Readiness: broker listening, pipeline draining, stores writing, PostgreSQL answering (503 naming the failing part)',
  })
  async ready(@Res({ passthrough: true }) response: FastifyReply): Promise<HealthReport> {
    const report = await this.readiness.report();
    if (report.status === 'down') response.status(503);
    return report;
  }
}
