import type { NativeReadingPayload } from '#src/contracts/reading.js';
import { deviceTelemetryTopic } from '#src/contracts/topics.js';
import type { SensorSample } from '../physics/sensor.model.js';

export interface EncodedMessage {
  topic: string;
  payload: Buffer;
}

/** The native reading of ARCHITECTURE.md §3, keys always in the same order (byte-stable output). */
export function nativeReading(sample: SensorSample, seq: number): NativeReadingPayload {
  return {
    ts: new Date(sample.atMs).toISOString(),
    seq,
    temperature: sample.temperatureC,
    humidity: sample.humidityPct,
    shock: sample.shock.peakG,
    accel: sample.shock.accel,
    lat: sample.position.lat,
    lon: sample.position.lon,
    alt: sample.position.altM,
    battery: sample.batteryPct,
    door: sample.doorOpen ? 'open' : 'closed',
  };
}

export function encodeNativeReading(deviceId: string, sample: SensorSample, seq: number): EncodedMessage {
  return {
    topic: deviceTelemetryTopic(deviceId),
    payload: Buffer.from(JSON.stringify(nativeReading(sample, seq))),
  };
}

/** A buffered batch: what a device that was offline sends when it is back (an array). */
export function encodeNativeBatch(
  deviceId: string,
  buffered: readonly { sample: SensorSample; seq: number }[],
): EncodedMessage {
  return {
    topic: deviceTelemetryTopic(deviceId),
    payload: Buffer.from(JSON.stringify(buffered.map((b) => nativeReading(b.sample, b.seq)))),
  };
}
