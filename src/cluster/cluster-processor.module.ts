import { Module } from '@nestjs/common';
import { configSliceProvider } from '#src/config/config-slice.js';
import { AlertsModule } from '#src/alerts/alerts.module.js';
import { IngestionModule } from '#src/ingestion/ingestion.module.js';
import { JourneysModule } from '#src/journeys/journeys.module.js';
import { LogModule } from '#src/log/log.module.js';
import { RulesModule } from '#src/rules/rules.module.js';
import { ShipmentsModule } from '#src/shipments/shipments.module.js';
import { ClusterConfig } from './cluster.config.js';
import { ClusterIntake } from './cluster-intake.js';
import { DecidedEffects } from './decided-effects.js';
import { LogPartitionsProcessor } from './log-partitions.processor.js';

/**
 * A cluster's processor (CONVOI_ROLES processor, with NATS_URL; `app.module.ts` imports it then):
 * leased partitions read from the shared log into the pipeline. Its intake replaces the inbox's.
 */
@Module({
  imports: [IngestionModule, LogModule, AlertsModule, ShipmentsModule, JourneysModule, RulesModule],
  providers: [configSliceProvider(ClusterConfig), DecidedEffects, LogPartitionsProcessor, ClusterIntake],
  exports: [ClusterIntake],
})
export class ClusterProcessorModule {}
