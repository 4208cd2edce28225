import { Injectable } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { isUtf8 } from 'node:buffer';
import type { DecodedReading } from '#src/contracts/reading.js';
import { rejected, type DecodeResult } from '../decode-result.js';
import { readingIdentity } from '../dedupe/reading-identity.js';
import { checkReading, stampLag } from '../reading-checks.js';
import { NATIVE_READING_KEYS, NativeReadingDto, parseTimestamp } from './native-reading.dto.js';
import { isValidNativeReading } from './native-reading.fast-path.js';

/** Largest batch a device may send in one message (a day of readings at one a minute and a half). */
export const MAX_BATCH_READINGS = 1000;

const RANGE_CONSTRAINTS = new Set(['min', 'max']);

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
    // Unknown keys (including __proto__ / constructor) are refused before any object is built,
    // so nothing a device sends reaches a prototype, a tag or a rule setting.
    const unknown = unknownKeys(item);
    if (unknown !== undefined) {
      return rejected('schema', `${at}unknown field(s): ${unknown.slice(0, 5).join(', ')}`, deviceId);
    }
    let dto: NativeReadingDto;
    if (isValidNativeReading(item as Record<string, unknown>)) {
      // Hot path: the common, valid reading needs no class instance (see the fast path's rules).
      dto = item as NativeReadingDto;
    } else {
      dto = plainToInstance(NativeReadingDto, item);
      const errors = validateSync(dto, { forbidUnknownValues: true });
      if (errors.length > 0) {
        const flat = flatten(errors);
        const reason = flat.every((e) => RANGE_CONSTRAINTS.has(e.constraint)) ? 'range' : 'schema';
        return rejected(reason, at + flat.map((e) => e.message).join('; '), deviceId);
      }
    }
    const reading = toDecodedReading(deviceId, dto, receivedAt);
    const problem = checkReading(reading);
    if (problem) return { ok: false, rejection: { ...problem, detail: at + problem.detail } };
    stampLag(reading);
    return { ok: true, readings: [reading] };
  }
}

/** The keys that are not native reading fields; undefined (no array) when there are none. */
function unknownKeys(item: object): string[] | undefined {
  let unknown: string[] | undefined;
  for (const key of Object.keys(item)) if (!NATIVE_READING_KEYS.has(key)) (unknown ??= []).push(key);
  return unknown;
}

function toDecodedReading(deviceId: string, dto: NativeReadingDto, receivedAt: number): DecodedReading {
  const measuredAt = parseTimestamp(dto.ts) as number;
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
  if (dto.seq !== undefined) reading.seq = dto.seq;
  if (dto.temperature !== undefined) reading.temperatureC = dto.temperature;
  if (dto.humidity !== undefined) reading.humidityPct = dto.humidity;
  if (dto.shock !== undefined) reading.shockG = dto.shock;
  else if (dto.accel) reading.shockG = Math.hypot(dto.accel.x, dto.accel.y, dto.accel.z);
  if (dto.lat !== undefined) reading.lat = dto.lat;
  if (dto.lon !== undefined) reading.lon = dto.lon;
  if (dto.alt !== undefined) reading.altM = dto.alt;
  if (dto.battery !== undefined) reading.batteryPct = dto.battery;
  if (dto.door !== undefined) reading.doorOpen = dto.door === 'open';
  return reading;
}

function flatten(errors: ValidationError[], prefix = ''): { constraint: string; message: string }[] {
  return errors.flatMap((e) => {
    const path = prefix + e.property;
    const own = Object.entries(e.constraints ?? {}).map(([constraint, message]) => ({
      constraint,
      message: message.startsWith(e.property)
        ? path + message.slice(e.property.length)
        : `${path}: ${message}`,
    }));
    return [...own, ...flatten(e.children ?? [], `${path}.`)];
  });
}
