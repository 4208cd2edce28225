import { Injectable } from '@nestjs/common';
import { Clock } from '#src/common/clock.js';
import type { LogPosition } from '#src/contracts/log-position.js';
import type { ReadingSource } from '#src/contracts/reading.js';
import { parseTopic } from '#src/contracts/topics.js';
import { DeviceDirectory } from '#src/fleet/device-directory.service.js';
import { rejected } from './decode-result.js';
import { NativeJsonDecoder } from './json/native-json.decoder.js';
import { parseChirpstackUplinkTopic } from './lorawan/chirpstack-topic.parser.js';
import { decodeChirpstackUplink } from './lorawan/chirpstack.decoder.js';
import { RegistryDeviceLookup } from './lorawan/registry-device-lookup.js';
import { decodeTtsUplink } from './lorawan/tts.decoder.js';
import { ReadingPipeline } from './reading-pipeline.service.js';
import { RejectionsLog } from './rejections/rejections.log.js';
import { telemetryTopicDeviceId } from './transport/telemetry-topic.parser.js';

/** Largest payload decoded; larger ones are refused unread (the broker also caps packets). */
export const MAX_PAYLOAD_BYTES = 64 * 1024;

/**
 * Entry point of one MQTT message: checks the topic and size, picks the decoder of its format
 * and hands the result to the pipeline. Never throws into the transport.
 */
@Injectable()
export class IngestionService {
  constructor(
    private readonly json: NativeJsonDecoder,
    private readonly directory: DeviceDirectory,
    private readonly pipeline: ReadingPipeline,
    private readonly rejections: RejectionsLog,
    private readonly clock: Clock,
    private readonly lookup: RegistryDeviceLookup,
  ) {}

  /** A message on `v1/devices/{deviceId}/telemetry`, at `position` of the input log. */
  ingestNative(topic: string, payload: Buffer, position: LogPosition): number {
    return this.guarded(topic, 'json', payload, () => this.native(topic, payload, position));
  }

  /** A ChirpStack v4 uplink event on `application/{applicationId}/device/{devEui}/event/up`. */
  ingestChirpstack(topic: string, payload: Buffer, position: LogPosition): number {
    return this.guarded(topic, 'chirpstack', payload, () => this.chirpstack(topic, payload, position));
  }

  /** A The Things Stack v3 uplink on `v3/{appId}@{tenantId}/devices/{deviceId}/up`. */
  ingestTts(topic: string, payload: Buffer, position: LogPosition): number {
    return this.guarded(topic, 'tts', payload, () => this.tts(topic, payload, position));
  }

  /**
   * Runs the handling of one message: an exception there (a fault of ours, whatever the input)
   * refuses the message with reason `internal`, counted and listed, instead of losing an
   * acknowledged message to a log line.
   */
  private guarded(topic: string, source: ReadingSource, payload: Buffer, handle: () => number): number {
    try {
      return handle();
    } catch (err) {
      const detail = `handling the message failed: ${String(err)}`;
      this.rejections.record(topic, source, { reason: 'internal', detail }, payload);
      return 0;
    }
  }

  private native(topic: string, payload: Buffer, position: LogPosition): number {
    const receivedAt = this.clock.now();
    const deviceId = telemetryTopicDeviceId(topic);
    if (deviceId === undefined) {
      this.rejections.record(
        topic,
        'json',
        { reason: 'topic', detail: 'not a device telemetry topic' },
        payload,
      );
      return 0;
    }
    if (payload.length > MAX_PAYLOAD_BYTES) {
      const result = rejected(
        'too-large',
        `payload of ${payload.length} bytes exceeds ${MAX_PAYLOAD_BYTES}`,
        deviceId,
      );
      return this.pipeline.process(topic, 'json', payload, [result], position);
    }
    const device = this.directory.byId(deviceId);
    if (!device) {
      return this.pipeline.process(
        topic,
        'json',
        payload,
        [rejected('unknown-device', `device ${deviceId} is not registered`, deviceId)],
        position,
      );
    }
    // The directory's id string, not the one cut from the topic: what the reading's id is kept in
    // (live state, rule and journey state) then holds no new string per message.
    const results = this.json.decode(device.id, payload, receivedAt);
    return this.pipeline.process(topic, 'json', payload, results, position);
  }

  private chirpstack(topic: string, payload: Buffer, position: LogPosition): number {
    const parsed = parseChirpstackUplinkTopic(topic);
    if (parsed === undefined) {
      this.rejectTopic(topic, 'chirpstack', 'not a ChirpStack uplink topic', payload);
      return 0;
    }
    const result = decodeChirpstackUplink(parsed, payload, this.clock.now(), this.lookup, MAX_PAYLOAD_BYTES);
    return this.pipeline.process(topic, 'chirpstack', payload, [result], position);
  }

  private tts(topic: string, payload: Buffer, position: LogPosition): number {
    const parsed = parseTopic(topic);
    if (parsed?.kind !== 'ttsUplink') {
      this.rejectTopic(topic, 'tts', 'not a The Things Stack uplink topic', payload);
      return 0;
    }
    const result = decodeTtsUplink(parsed, payload, this.clock.now(), this.lookup, MAX_PAYLOAD_BYTES);
    return this.pipeline.process(topic, 'tts', payload, [result], position);
  }

  private rejectTopic(topic: string, source: ReadingSource, detail: string, payload: Buffer): void {
    this.rejections.record(topic, source, { reason: 'topic', detail }, payload);
  }
}
