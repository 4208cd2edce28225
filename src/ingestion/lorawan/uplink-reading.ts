import type { DecodedReading, ReadingSource } from '#src/contracts/reading.js';
import type { DecodeResult } from '#src/ingestion/decode-result.js';
import { checkReading, stampLag } from '#src/ingestion/reading-checks.js';
import type { MappedValues } from './channel-mapper.js';

/** What a network-server decoder extracted from one uplink envelope. */
export interface UplinkParts {
  source: Extract<ReadingSource, 'chirpstack' | 'tts'>;
  deviceId: string;
  /** Lower-case DevEUI, when known from the envelope or the registry. */
  devEui?: string;
  receivedAt: number;
  /** Network server's (else a gateway's) reception time, epoch ms. */
  networkTime?: number;
  fCnt: number;
  fPort: number;
  gateways?: number;
  rssi?: number;
  snr?: number;
  /** ChirpStack's deduplicationId. */
  deduplicationId?: string;
  /** TTS `session_key_id`: changes on every join, so a rebooted device's counters key anew. */
  sessionKeyId?: string;
  values: MappedValues;
}

/**
 * Builds the canonical reading of an uplink and runs the checks every reading passes.
 * measuredAt: the device's unix-time channel, else the network server's time, else ours.
 * Idempotency key: devEui/deduplicationId (scoped, so an id forged on one device cannot drop
 * another's uplink), else devEui:fCnt:fPort (with the session key id when known, so a counter
 * restarting at 0 after a rejoin is not a repeat of the previous session's), else
 * deviceId:measuredAt.
 */
export function finishUplink(parts: UplinkParts): DecodeResult {
  const { values } = parts;
  const measuredAt = values.measuredAt ?? parts.networkTime ?? parts.receivedAt;
  const scope = parts.devEui ?? parts.deviceId;
  let dedupeKey: string;
  if (parts.deduplicationId !== undefined) dedupeKey = `${scope}/${parts.deduplicationId}`;
  else if (parts.devEui === undefined) dedupeKey = `${parts.deviceId}:${measuredAt}`;
  else if (parts.sessionKeyId === undefined) dedupeKey = `${parts.devEui}:${parts.fCnt}:${parts.fPort}`;
  else dedupeKey = `${parts.devEui}:${parts.fCnt}:${parts.fPort}:${parts.sessionKeyId}`;
  const reading: DecodedReading = {
    deviceId: parts.deviceId,
    measuredAt,
    receivedAt: parts.receivedAt,
    source: parts.source,
    dedupeKey,
    quality: { fCnt: parts.fCnt, fPort: parts.fPort, lagMs: 0, late: false },
  };
  // Only fields that exist are set: downstream code iterates keys (storage columns, Influx fields).
  if (parts.gateways !== undefined) reading.quality.gateways = parts.gateways;
  if (parts.rssi !== undefined) reading.quality.rssi = parts.rssi;
  if (parts.snr !== undefined) reading.quality.snr = parts.snr;
  if (values.temperatureC !== undefined) reading.temperatureC = values.temperatureC;
  if (values.humidityPct !== undefined) reading.humidityPct = values.humidityPct;
  if (values.shockG !== undefined) reading.shockG = values.shockG;
  if (values.lat !== undefined) reading.lat = values.lat;
  if (values.lon !== undefined) reading.lon = values.lon;
  if (values.altM !== undefined) reading.altM = values.altM;
  if (values.batteryPct !== undefined) reading.batteryPct = values.batteryPct;
  if (values.doorOpen !== undefined) reading.doorOpen = values.doorOpen;
  const rejection = checkReading(reading);
  if (rejection !== undefined) return { ok: false, rejection };
  stampLag(reading);
  return { ok: true, readings: [reading] };
}
