import { DEV_EUI_PATTERN, normalizeDevEui } from '#src/contracts/identifiers.js';
import type { ParsedTopic } from '#src/contracts/topics.js';
import { rejected, type DecodeResult } from '#src/ingestion/decode-result.js';
import { applicationMismatch } from './application-scope.js';
import type { DeviceLookup } from './device-lookup.js';
import {
  EnvelopeError,
  isObject,
  MAX_ENVELOPE_BYTES,
  MAX_GATEWAYS,
  optArray,
  optNumber,
  optObject,
  optString,
  optTime,
  optUint,
  parseEnvelope,
} from './envelope-reader.js';
import { finishUplink } from './uplink-reading.js';
import { readUplinkValues } from './uplink-values.js';

export type ChirpstackUplinkTopic = Extract<ParsedTopic, { kind: 'chirpstackUplink' }>;

/**
 * Decodes a ChirpStack v4 uplink event (`application/{id}/device/{devEui}/event/up`) into a
 * canonical reading. Fields may be omitted (4.0 drops defaults), present with defaults (4.1+) or
 * `null`; all three read the same, as proto3 JSON intends (absent fCnt is 0). Never throws.
 */
export function decodeChirpstackUplink(
  topic: ChirpstackUplinkTopic,
  payload: Buffer,
  receivedAt: number,
  lookup: DeviceLookup,
  maxBytes = MAX_ENVELOPE_BYTES,
): DecodeResult {
  if (!DEV_EUI_PATTERN.test(topic.devEui)) {
    return rejected('topic', `topic DevEUI ${topic.devEui} is not 16 hex digits`, topic.devEui);
  }
  const devEui = normalizeDevEui(topic.devEui);
  let deviceId: string = devEui;
  try {
    const env = parseEnvelope(payload, maxBytes);
    const info = optObject(env, 'deviceInfo', 'deviceInfo');
    const claimedEui = optString(info, 'devEui', 'deviceInfo.devEui');
    if (claimedEui !== undefined && normalizeDevEui(claimedEui) !== devEui) {
      return rejected(
        'spoofed',
        `deviceInfo.devEui ${claimedEui.slice(0, 32)} differs from topic ${devEui}`,
        devEui,
      );
    }
    const claimedApp = optString(info, 'applicationId', 'deviceInfo.applicationId');
    if (claimedApp !== undefined && claimedApp !== topic.applicationId) {
      return rejected(
        'spoofed',
        `deviceInfo.applicationId differs from topic ${topic.applicationId}`,
        devEui,
      );
    }
    const device = lookup.byDevEui(devEui);
    if (device === undefined) return rejected('unknown-device', `no device with DevEUI ${devEui}`, devEui);
    deviceId = device.deviceId;
    if (device.format !== 'chirpstack') {
      return rejected(
        'unknown-device',
        `device ${deviceId} is registered for ${device.format}, not chirpstack`,
        deviceId,
      );
    }
    const wrongApplication = applicationMismatch(device, topic.applicationId);
    if (wrongApplication !== undefined) return rejected('wrong-application', wrongApplication, deviceId);
    const fCnt = optUint(env, 'fCnt', 'fCnt', 0xffffffff) ?? 0;
    const fPort = optUint(env, 'fPort', 'fPort', 255) ?? 0;
    const deduplicationId = optString(env, 'deduplicationId', 'deduplicationId');
    let networkTime = optTime(env, 'time', 'time');
    const rxInfo = optArray(env, 'rxInfo', 'rxInfo', MAX_GATEWAYS);
    let rssi: number | undefined;
    let snr: number | undefined;
    if (rxInfo !== undefined) {
      for (let i = 0; i < rxInfo.length; i++) {
        const rx = rxInfo[i];
        if (!isObject(rx)) throw new EnvelopeError('schema', `rxInfo[${i}] must be an object`);
        const r = optNumber(rx, 'rssi', `rxInfo[${i}].rssi`);
        if (r !== undefined && (rssi === undefined || r > rssi)) rssi = r;
        const s = optNumber(rx, 'snr', `rxInfo[${i}].snr`);
        if (s !== undefined && (snr === undefined || s > snr)) snr = s;
        if (networkTime === undefined) {
          networkTime =
            optTime(rx, 'nsTime', `rxInfo[${i}].nsTime`) ??
            optTime(rx, 'gwTime', `rxInfo[${i}].gwTime`) ??
            optTime(rx, 'time', `rxInfo[${i}].time`);
        }
      }
    }
    const values = readUplinkValues(
      device,
      optObject(env, 'object', 'object'),
      'object',
      optString(env, 'data', 'data'),
      'data',
    );
    return finishUplink({
      source: 'chirpstack',
      deviceId,
      devEui,
      receivedAt,
      networkTime,
      fCnt,
      fPort,
      gateways: rxInfo?.length,
      rssi,
      snr,
      deduplicationId,
      values,
    });
  } catch (error) {
    if (error instanceof EnvelopeError) return rejected(error.reason, error.detail, deviceId);
    return rejected('parse', `unexpected decoder failure: ${String(error).slice(0, 120)}`, deviceId);
  }
}
