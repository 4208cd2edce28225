import { Module } from '@nestjs/common';
import { BrokerModule } from '#src/broker/broker.module.js';
import { IngestionModule } from '#src/ingestion/ingestion.module.js';
import { HealthController } from './health.controller.js';
import { HealthService } from './health.service.js';
import { MetricsController } from './metrics.controller.js';
import { ReadinessService } from './readiness.service.js';
import { configSliceProvider } from '#src/config/config-slice.js';
import { HttpConfig } from './http.config.js';

// Liveness must answer load balancers and orchestrators without a key; /metrics (no decorator)
// stays admin-only under the deny-by-default guard.

/** The REST shell for operators: health (public) and metrics (admin key). */
@Module({
  imports: [BrokerModule, IngestionModule],
  controllers: [HealthController, MetricsController],
  providers: [configSliceProvider(HttpConfig), HealthService, ReadinessService],
})
export class HttpModule {}
