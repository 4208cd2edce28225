import { Module } from '@nestjs/common';
import { configSliceProvider } from '#src/config/config-slice.js';
import { IngestionModule } from '#src/ingestion/ingestion.module.js';
import { LogModule } from '#src/log/log.module.js';
import { ClusterConfig } from './cluster.config.js';
import { ClusterIntake } from './cluster-intake.js';
import { LogPartitionsProcessor } from './log-partitions.processor.js';

/**
 * A cluster's processor (CONVOI_ROLES processor, with NATS_URL; `app.module.ts` imports it then):
 * leased partitions read from the shared log into the pipeline. Its intake replaces the inbox's.
 */
@Module({
  imports: [IngestionModule, LogModule],
  providers: [configSliceProvider(ClusterConfig), LogPartitionsProcessor, ClusterIntake],
  exports: [ClusterIntake],
})
export class ClusterProcessorModule {}
