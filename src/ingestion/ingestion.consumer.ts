import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, MqttContext } from '@nestjs/microservices';
import { TOPIC_FILTERS } from '#src/contracts/topics.js';
import { IngestionService } from './ingestion.service.js';
import { ACCEPTS_MESSAGE_BATCH, forEachMqttMessage } from './transport/mqtt-message-batch.js';

/**
 * MQTT edge: one method per subscribed topic filter, each handing the raw bytes to the service.
 * The context holds one message (Nest's MQTT transport) or a run of them (the inbox transport).
 */
@Controller()
export class IngestionConsumer {
  private readonly native = (topic: string, payload: Buffer) => this.ingestion.ingestNative(topic, payload);
  private readonly chirpstack = (topic: string, payload: Buffer) =>
    this.ingestion.ingestChirpstack(topic, payload);
  private readonly tts = (topic: string, payload: Buffer) => this.ingestion.ingestTts(topic, payload);

  constructor(private readonly ingestion: IngestionService) {}

  @EventPattern(TOPIC_FILTERS.deviceTelemetry, { qos: 1, [ACCEPTS_MESSAGE_BATCH]: true })
  onDeviceTelemetry(@Ctx() context: MqttContext): void {
    forEachMqttMessage(context, this.native);
  }

  @EventPattern(TOPIC_FILTERS.chirpstackUplink, { qos: 1, [ACCEPTS_MESSAGE_BATCH]: true })
  onChirpstackUplink(@Ctx() context: MqttContext): void {
    forEachMqttMessage(context, this.chirpstack);
  }

  @EventPattern(TOPIC_FILTERS.ttsUplink, { qos: 1, [ACCEPTS_MESSAGE_BATCH]: true })
  onTtsUplink(@Ctx() context: MqttContext): void {
    forEachMqttMessage(context, this.tts);
  }
}
