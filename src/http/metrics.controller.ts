import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Requires } from '#src/auth/roles.decorator.js';
import { Metrics } from '#src/common/metrics.js';

@ApiTags('operations')
@Controller('metrics')
@Requires('admin')
export class MetricsController {
  constructor(private readonly metrics: Metrics) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @ApiOperation({ summary: 'Prometheus metrics' })
  @ApiOkResponse({
    description: 'Prometheus text exposition format 0.0.4.',
    content: {
      'text/plain': {
        schema: { type: 'string', example: 'convoi_ingest_readings_accepted_total{source="json"} 42' },
      },
    },
  })
  scrape(): Promise<string> {
    return this.metrics.scrape();
  }
}
