import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, MqttContext } from '@nestjs/microservices';
import { TOPIC_FILTERS } from '#src/contracts/topics.js';
import { IngestionService } from './ingestion.service.js';

/** MQTT edge: one method per subscribed topic filter, each handing the raw bytes to the service. */
@Controller()
export class IngestionConsumer {
  constructor(private readonly ingestion: IngestionService) {}

  @EventPattern(TOPIC_FILTERS.deviceTelemetry, { qos: 1 })
  onDeviceTelemetry(@Ctx() context: MqttContext): void {
    this.ingestion.ingestNative(context.getTopic(), payloadOf(context));
  }

  @EventPattern(TOPIC_FILTERS.chirpstackUplink, { qos: 1 })
  onChirpstackUplink(@Ctx() context: MqttContext): void {
    this.ingestion.ingestChirpstack(context.getTopic(), payloadOf(context));
  }

  @EventPattern(TOPIC_FILTERS.ttsUplink, { qos: 1 })
  onTtsUplink(@Ctx() context: MqttContext): void {
    this.ingestion.ingestTts(context.getTopic(), payloadOf(context));
  }
}

function payloadOf(context: MqttContext): Buffer {
  const payload = (context.getPacket() as { payload?: Buffer | string }).payload;
  return Buffer.isBuffer(payload) ? payload : Buffer.from(payload ?? '');
}
