import { DEV_EUI_PATTERN, normalizeDevEui } from '#src/contracts/identifiers.js';
import type { ParsedTopic } from '#src/contracts/topics.js';
import { rejected, type DecodeResult } from '#src/ingestion/decode-result.js';
import { applicationMismatch } from './application-scope.js';
import type { DeviceLookup, LoraDevice } from './device-lookup.js';
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
  type JsonObject,
} from './envelope-reader.js';
import { finishUplink } from './uplink-reading.js';
import { readUplinkValues } from './uplink-values.js';

export type TtsUplinkTopic = Extract<ParsedTopic, { kind: 'ttsUplink' }>;

/**
 * Decodes a The Things Stack v3 uplink message (`v3/{app}@{tenant}/devices/{deviceId}/up`) into a
 * canonical reading. TTS omits empty fields (`f_cnt` 0, no `frm_payload`); omitted, default and
 * `null` read the same. The device is found by `dev_eui` when the envelope has one, else by the
 * topic's device id. Never throws.
 */
export function decodeTtsUplink(
  topic: TtsUplinkTopic,
  payload: Buffer,
  receivedAt: number,
  lookup: DeviceLookup,
  maxBytes = MAX_ENVELOPE_BYTES,
): DecodeResult {
  let deviceId = topic.deviceId;
  try {
    const env = parseEnvelope(payload, maxBytes);
    const ids = optObject(env, 'end_device_ids', 'end_device_ids');
    const claimedId = optString(ids, 'device_id', 'end_device_ids.device_id');
    if (claimedId !== undefined && claimedId !== topic.deviceId) {
      return rejected('spoofed', `end_device_ids.device_id differs from topic ${topic.deviceId}`, deviceId);
    }
    const appIds = optObject(ids, 'application_ids', 'end_device_ids.application_ids');
    const claimedApp = optString(appIds, 'application_id', 'end_device_ids.application_ids.application_id');
    if (claimedApp !== undefined && claimedApp !== topic.applicationId) {
      return rejected('spoofed', `application_id differs from topic ${topic.applicationId}`, deviceId);
    }
    const rawEui = optString(ids, 'dev_eui', 'end_device_ids.dev_eui');
    if (rawEui !== undefined && !DEV_EUI_PATTERN.test(rawEui)) {
      throw new EnvelopeError('schema', 'end_device_ids.dev_eui must be 16 hex digits');
    }
    const devEui = rawEui === undefined ? undefined : normalizeDevEui(rawEui);
    const device = resolve(lookup, devEui, topic.deviceId);
    if (device === undefined) {
      return rejected(
        'unknown-device',
        `no device with DevEUI ${devEui ?? '(none)'} or id ${topic.deviceId}`,
        deviceId,
      );
    }
    deviceId = device.deviceId;
    if (devEui !== undefined && device.devEui !== undefined && device.devEui !== devEui) {
      return rejected('spoofed', `dev_eui ${devEui} is not the DevEUI registered for ${deviceId}`, deviceId);
    }
    if (device.format !== 'tts') {
      return rejected(
        'unknown-device',
        `device ${deviceId} is registered for ${device.format}, not tts`,
        deviceId,
      );
    }
    const wrongApplication = applicationMismatch(device, `${topic.applicationId}@${topic.tenantId}`);
    if (wrongApplication !== undefined) return rejected('wrong-application', wrongApplication, deviceId);
    const up = optObject(env, 'uplink_message', 'uplink_message');
    if (up === undefined) throw new EnvelopeError('schema', 'uplink_message is missing');
    const fCnt = optUint(up, 'f_cnt', 'uplink_message.f_cnt', 0xffffffff) ?? 0;
    const fPort = optUint(up, 'f_port', 'uplink_message.f_port', 255) ?? 0;
    let networkTime =
      optTime(up, 'received_at', 'uplink_message.received_at') ?? optTime(env, 'received_at', 'received_at');
    const rx = readRxMetadata(up, networkTime === undefined);
    networkTime ??=
      rx.time ??
      optTime(optObject(up, 'settings', 'uplink_message.settings'), 'time', 'uplink_message.settings.time');
    const values = readUplinkValues(
      device,
      optObject(up, 'decoded_payload', 'uplink_message.decoded_payload'),
      'uplink_message.decoded_payload',
      optString(up, 'frm_payload', 'uplink_message.frm_payload'),
      'uplink_message.frm_payload',
    );
    return finishUplink({
      source: 'tts',
      deviceId,
      devEui: devEui ?? device.devEui,
      receivedAt,
      networkTime,
      fCnt,
      fPort,
      gateways: rx.gateways,
      rssi: rx.rssi,
      snr: rx.snr,
      sessionKeyId: optString(up, 'session_key_id', 'uplink_message.session_key_id'),
      values,
    });
  } catch (error) {
    if (error instanceof EnvelopeError) return rejected(error.reason, error.detail, deviceId);
    return rejected('parse', `unexpected decoder failure: ${String(error).slice(0, 120)}`, deviceId);
  }
}

function resolve(
  lookup: DeviceLookup,
  devEui: string | undefined,
  ttsDeviceId: string,
): LoraDevice | undefined {
  return (devEui !== undefined ? lookup.byDevEui(devEui) : undefined) ?? lookup.byDeviceId(ttsDeviceId);
}

interface RxSummary {
  gateways?: number;
  rssi?: number;
  snr?: number;
  /** Earliest gateway time or gateway-side reception time. */
  time?: number;
}

/** `withTime`: gateway times are parsed only when the network server gave none (hot path). */
function readRxMetadata(up: JsonObject, withTime: boolean): RxSummary {
  const list = optArray(up, 'rx_metadata', 'uplink_message.rx_metadata', MAX_GATEWAYS);
  if (list === undefined) return {};
  const summary: RxSummary = { gateways: list.length };
  for (let i = 0; i < list.length; i++) {
    const rx = list[i];
    if (!isObject(rx))
      throw new EnvelopeError('schema', `uplink_message.rx_metadata[${i}] must be an object`);
    const path = `uplink_message.rx_metadata[${i}]`;
    const rssi =
      optNumber(rx, 'rssi', `${path}.rssi`) ?? optNumber(rx, 'channel_rssi', `${path}.channel_rssi`);
    if (rssi !== undefined && (summary.rssi === undefined || rssi > summary.rssi)) summary.rssi = rssi;
    const snr = optNumber(rx, 'snr', `${path}.snr`);
    if (snr !== undefined && (summary.snr === undefined || snr > summary.snr)) summary.snr = snr;
    if (!withTime) continue;
    const time = optTime(rx, 'received_at', `${path}.received_at`) ?? optTime(rx, 'time', `${path}.time`);
    if (time !== undefined && (summary.time === undefined || time < summary.time)) summary.time = time;
  }
  return summary;
}
