import type { NativeReadingPayload } from '#src/contracts/reading.js';
import { isValidId } from '#src/contracts/identifiers.js';
import { deviceTelemetryTopic } from '#src/contracts/topics.js';
import type { SimMessage } from '../generator/message.generator.js';

/** A recorded file that cannot be replayed: reported with its line, exit code 2. */
export class ReplayFileError extends Error {}

const NUMERIC = ['seq', 'temperature', 'humidity', 'shock', 'lat', 'lon', 'alt', 'battery'] as const;

/**
 * Recorded readings, one per line: JSON Lines (`{"deviceId": "...", "ts": ..., "temperature": ...}`,
 * native reading fields) or CSV with a header naming `deviceId`, `ts` and any native fields.
 * Returned in time order, published on each device's telemetry topic.
 */
export function readReplayFile(text: string, kind: 'csv' | 'jsonl', shiftMs = 0): SimMessage[] {
  const rows = kind === 'csv' ? csvRows(text) : jsonlRows(text);
  const messages = rows.map(({ line, record }) => toMessage(line, record, shiftMs));
  return messages.sort((a, b) => a.atSimMs - b.atSimMs);
}

function jsonlRows(text: string): { line: number; record: Record<string, unknown> }[] {
  const out: { line: number; record: Record<string, unknown> }[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    if (raw.trim() === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      throw new ReplayFileError(`line ${i + 1}: not JSON`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new ReplayFileError(`line ${i + 1}: expected one JSON object per line`);
    }
    out.push({ line: i + 1, record: parsed as Record<string, unknown> });
  });
  return out;
}

function csvRows(text: string): { line: number; record: Record<string, unknown> }[] {
  const lines = text.split(/\r?\n/);
  const header = lines[0]?.split(',').map((h) => h.trim()) ?? [];
  if (!header.includes('deviceId') || !header.includes('ts')) {
    throw new ReplayFileError('line 1: the CSV header must name deviceId and ts');
  }
  const out: { line: number; record: Record<string, unknown> }[] = [];
  for (let i = 1; i < lines.length; i++) {
    if (lines[i].trim() === '') continue;
    const cells = lines[i].split(',').map((c) => c.trim());
    if (cells.length !== header.length) {
      throw new ReplayFileError(`line ${i + 1}: ${cells.length} cells, the header has ${header.length}`);
    }
    const record: Record<string, unknown> = {};
    header.forEach((h, j) => {
      if (cells[j] === '') return;
      record[h] = (NUMERIC as readonly string[]).includes(h) ? Number(cells[j]) : cells[j];
    });
    if (typeof record.ts === 'string' && /^\d+$/.test(record.ts)) record.ts = Number(record.ts);
    out.push({ line: i + 1, record });
  }
  return out;
}

function toMessage(line: number, record: Record<string, unknown>, shiftMs: number): SimMessage {
  const { deviceId, ts, ...rest } = record;
  if (!isValidId(deviceId)) throw new ReplayFileError(`line ${line}: deviceId missing or not a valid id`);
  const atMs = typeof ts === 'number' ? ts : typeof ts === 'string' ? Date.parse(ts) : NaN;
  if (!Number.isFinite(atMs)) throw new ReplayFileError(`line ${line}: ts missing or not a time`);
  for (const key of NUMERIC) {
    if (key in rest && !Number.isFinite(rest[key]))
      throw new ReplayFileError(`line ${line}: ${key} is not a number`);
  }
  const payload: NativeReadingPayload = { ts: new Date(atMs + shiftMs).toISOString(), ...rest };
  return {
    atSimMs: atMs,
    deviceId,
    topic: deviceTelemetryTopic(deviceId),
    payload: Buffer.from(JSON.stringify(payload)),
  };
}
