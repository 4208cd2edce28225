import { Injectable } from '@nestjs/common';
import { isUtf8 } from 'node:buffer';
import type { DecodedReading, NativeReadingPayload } from '#src/contracts/reading.js';
import { rejected, type DecodeResult } from '../decode-result.js';
import { readingIdentity } from '../dedupe/reading-identity.js';
import { checkReading, stampLag } from '../reading-checks.js';
import { parseTimestamp, validateNativeReading } from './native-reading.schema.js';

/** Largest batch a device may send in one message (a day of readings at one a minute and a half). */
export const MAX_BATCH_READINGS = 1000;

/** A reading that passed NATIVE_READING_SCHEMA: its optional fields may still be `null` (absent). */
type ValidReading = { [K in keyof NativeReadingPayload]: NativeReadingPayload[K] | null };

/**
 * Decodes the native JSON payload of `v1/devices/{deviceId}/telemetry` (ARCHITECTURE.md §3): one
 * reading or an array of them. Returns one result per reading (a batch keeps its good readings
 * when one is bad) or a single rejection for a payload that is not a reading at all.
 * Never throws: every failure is a rejection with a specific reason.
 */
@Injectable()
export class NativeJsonDecoder {
  decode(deviceId: string, payload: Buffer, receivedAt: number): DecodeResult[] {
    if (payload.length === 0) return [rejected('parse', 'empty payload', deviceId)];
    if (!isUtf8(payload)) return [rejected('parse', 'payload is not valid UTF-8', deviceId)];
    let body: unknown;
    try {
      body = JSON.parse(payload.toString('utf8'));
    } catch (err) {
      return [rejected('parse', `payload is not JSON: ${(err as Error).message}`, deviceId)];
    }
    if (Array.isArray(body)) {
      if (body.length === 0) return [rejected('schema', 'batch is an empty array', deviceId)];
      if (body.length > MAX_BATCH_READINGS) {
        return [
          rejected('schema', `batch of ${body.length} readings exceeds ${MAX_BATCH_READINGS}`, deviceId),
        ];
      }
      return body.map((item, index) => this.decodeOne(deviceId, item, receivedAt, `[${index}] `));
    }
    return [this.decodeOne(deviceId, body, receivedAt, '')];
  }

  private decodeOne(deviceId: string, item: unknown, receivedAt: number, at: string): DecodeResult {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      return rejected('schema', `${at}a reading must be a JSON object`, deviceId);
    }
    // The schema refuses unknown keys (including __proto__ / constructor) before any field, and
    // nothing is copied from the item but the fields it names.
    const violations = validateNativeReading(item);
    if (violations !== undefined) {
      const reason = violations.every((v) => v.range) ? 'range' : 'schema';
      return rejected(reason, at + violations.map((v) => v.message).join('; '), deviceId);
    }
    const reading = toDecodedReading(deviceId, item as ValidReading, receivedAt);
    const problem = checkReading(reading);
    if (problem) return { ok: false, rejection: { ...problem, detail: at + problem.detail } };
    stampLag(reading);
    return { ok: true, readings: [reading] };
  }
}

/** The canonical reading of a valid native one; `!= null` because the schema reads `null` as absent. */
function toDecodedReading(deviceId: string, sent: ValidReading, receivedAt: number): DecodedReading {
  const measuredAt = parseTimestamp(sent.ts) as number;
  const reading: DecodedReading = {
    deviceId,
    measuredAt,
    receivedAt,
    source: 'json',
    // The identity, not the seq: a device that reboots counts from 0 again (new readings), and a
    // repeat keeps its measuredAt (ReadingDedupe compares the values under it).
    dedupeKey: readingIdentity(deviceId, measuredAt),
    quality: { lagMs: 0, late: false },
  };
  if (sent.seq != null) reading.seq = sent.seq;
  if (sent.temperature != null) reading.temperatureC = sent.temperature;
  if (sent.humidity != null) reading.humidityPct = sent.humidity;
  if (sent.shock != null) reading.shockG = sent.shock;
  else if (sent.accel != null) reading.shockG = Math.hypot(sent.accel.x, sent.accel.y, sent.accel.z);
  if (sent.lat != null) reading.lat = sent.lat;
  if (sent.lon != null) reading.lon = sent.lon;
  if (sent.alt != null) reading.altM = sent.alt;
  if (sent.battery != null) reading.batteryPct = sent.battery;
  if (sent.door != null) reading.doorOpen = sent.door === 'open';
  return reading;
}
