import { Module } from '@nestjs/common';
import { BrokerModule } from '#src/broker/broker.module.js';
import { FleetModule } from '#src/fleet/fleet.module.js';
import { ReadingDedupe } from './dedupe/reading-dedupe.service.js';
import { IngestInbox } from './inbox/ingest-inbox.js';
import { IngestionConsumer } from './ingestion.consumer.js';
import { IngestionService } from './ingestion.service.js';
import { NativeJsonDecoder } from './json/native-json.decoder.js';
import { RegistryDeviceLookup } from './lorawan/registry-device-lookup.js';
import { RadioStatusController } from './radio/radio-status.controller.js';
import { RadioStatusService } from './radio/radio-status.service.js';
import { ReadingPipeline } from './reading-pipeline.service.js';
import { RejectionsController } from './rejections/rejections.controller.js';
import { RejectionsLog } from './rejections/rejections.log.js';
import { ConsumerStatus } from './transport/consumer-status.js';
import { InboxDrain } from './transport/inbox.drain.js';
import { configSliceProvider } from '#src/config/config-slice.js';
import { IngestionConfig } from './ingestion.config.js';

/**
 * From MQTT message to accepted reading: the write-ahead inbox, decoders, the pipeline, the
 * rejections log.
 */
@Module({
  imports: [FleetModule, BrokerModule],
  controllers: [RejectionsController, RadioStatusController],
  providers: [
    configSliceProvider(IngestionConfig),
    IngestionService,
    IngestionConsumer,
    InboxDrain,
    NativeJsonDecoder,
    ReadingPipeline,
    RejectionsLog,
    ConsumerStatus,
    ReadingDedupe,
    RegistryDeviceLookup,
    RadioStatusService,
    IngestInbox,
  ],
  exports: [ReadingPipeline, ConsumerStatus, RejectionsLog, IngestInbox, IngestionConsumer],
})
export class IngestionModule {}
