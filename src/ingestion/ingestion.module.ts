import { Module } from '@nestjs/common';
import { FleetModule } from '#src/fleet/fleet.module.js';
import { IngestionConsumer } from './ingestion.consumer.js';
import { IngestionService } from './ingestion.service.js';
import { NativeJsonDecoder } from './json/native-json.decoder.js';
import { ReadingPipeline } from './reading-pipeline.service.js';
import { RejectionsController } from './rejections/rejections.controller.js';
import { RejectionsLog } from './rejections/rejections.log.js';
import { ConsumerStatus } from './transport/consumer-status.js';

/** From MQTT message to accepted reading: decoders, the pipeline, the rejections log. */
@Module({
  imports: [FleetModule],
  controllers: [IngestionConsumer, RejectionsController],
  providers: [IngestionService, NativeJsonDecoder, ReadingPipeline, RejectionsLog, ConsumerStatus],
  exports: [ReadingPipeline, ConsumerStatus, RejectionsLog],
})
export class IngestionModule {}
