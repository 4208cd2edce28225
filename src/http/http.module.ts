import { Module } from '@nestjs/common';
import { BrokerModule } from '#src/broker/broker.module.js';
import { IngestionModule } from '#src/ingestion/ingestion.module.js';
import { HealthController } from './health.controller.js';
import { HealthService } from './health.service.js';
import { MetricsController } from './metrics.controller.js';

/** The REST shell for operators: health and metrics. */
@Module({
  imports: [BrokerModule, IngestionModule],
  controllers: [HealthController, MetricsController],
  providers: [HealthService],
})
export class HttpModule {}
