import { Controller, Get, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '#src/auth/public.decorator.js';
import { HealthService, type HealthReport } from './health.service.js';

@ApiTags('operations')
@Controller('health')
@Public()
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get()
  @ApiOperation({ summary: 'Liveness and readiness: broker, MQTT consumer, stores (503 when down)' })
  get(@Res({ passthrough: true }) response: FastifyReply): HealthReport {
    const report = this.health.report();
    if (report.status === 'down') response.status(503);
    return report;
  }
}
