import type { LogEntry } from './log-entry.js';

/**
 * The bytes of a log message (a JetStream message's body), little-endian. Its first byte says
 * which of two layouts follows:
 *
 * Version 1, one entry (`encodeLogEntry`):
 *
 * | offset | size | field                                   |
 * | ------ | ---- | --------------------------------------- |
 * | 0      | 1    | version, 1                              |
 * | 1      | 8    | `receivedAt`, float64 ms since epoch    |
 * | 9      | 2    | n1, UTF-8 length of `containerId`       |
 * | 11     | n1   | `containerId`                           |
 * |        | 2    | n2, UTF-8 length of `deviceId`          |
 * |        | n2   | `deviceId`                              |
 * |        | 2    | n3, UTF-8 length of `topic`             |
 * |        | n3   | `topic`                                 |
 * |        | rest | `payload`, as the device sent it        |
 *
 * Version 2, several entries of one partition in append order (`encodeLogBatch`): the version
 * byte, a uint32 count, then per entry a uint32 length and that many bytes laid out as version 1
 * from offset 1 (its payload ends where the length does).
 *
 * Binary rather than JSON or NATS headers: the payload travels untouched (no base64), and the
 * three strings cost a length each, so encoding is one allocation per entry and decoding one pass.
 * Several entries per message because nats-server's cost is per message (store, PubAck,
 * delivery), whatever it holds (docs/PERFORMANCE.md, "The log hop in cluster mode").
 */
export const LOG_ENTRY_VERSION = 1;
export const LOG_BATCH_VERSION = 2;
const BODY_HEAD = 8;
const MIN_BODY = BODY_HEAD + 6;
const BATCH_HEAD = 1 + 4;
const MAX_STRING = 0xffff;

/** The entry's bytes (version 1). Throws a RangeError for a string longer than 65,535 UTF-8 bytes. */
export function encodeLogEntry(entry: LogEntry): Buffer {
  const out = encodeBody(entry, 1);
  out.writeUInt8(LOG_ENTRY_VERSION, 0);
  return out;
}

/**
 * One entry as a version 2 message carries it (its length, then its body), for
 * {@link encodeLogBatch}. Throws a RangeError as {@link encodeLogEntry} does.
 */
export function encodeBatchRecord(entry: LogEntry): Buffer {
  const out = encodeBody(entry, 4);
  out.writeUInt32LE(out.length - 4, 0);
  return out;
}

/** A version 2 message of `records` (made by {@link encodeBatchRecord}), `bytes` their total length. */
export function encodeLogBatch(records: readonly Buffer[], bytes: number): Buffer {
  const out = Buffer.allocUnsafe(BATCH_HEAD + bytes);
  out.writeUInt8(LOG_BATCH_VERSION, 0);
  out.writeUInt32LE(records.length, 1);
  let at = BATCH_HEAD;
  for (const record of records) {
    record.copy(out, at);
    at += record.length;
  }
  return out;
}

/** The entries of a message, or why the bytes are not one (a foreign or damaged message on the subject). */
export type DecodedLogEntries = { ok: true; entries: LogEntry[] } | { ok: false; reason: string };

/**
 * Reads a message's entries back, in the order they were appended; never throws. Payloads are
 * views on `bytes`, not copies. A damaged message yields no entry at all: a partial one would be
 * applied and then, the position being the message's, never completed.
 */
export function decodeLogEntries(bytes: Uint8Array): DecodedLogEntries {
  if (bytes.length < 1) return { ok: false, reason: 'empty' };
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const version = buf.readUInt8(0);
  if (version === LOG_ENTRY_VERSION) {
    if (buf.length < 1 + MIN_BODY) return { ok: false, reason: `too short: ${buf.length} bytes` };
    const one = decodeBody(buf, 1, buf.length);
    return typeof one === 'string' ? { ok: false, reason: one } : { ok: true, entries: [one] };
  }
  if (version !== LOG_BATCH_VERSION) return { ok: false, reason: `unknown version ${version}` };
  if (buf.length < BATCH_HEAD) return { ok: false, reason: `too short: ${buf.length} bytes` };
  const count = buf.readUInt32LE(1);
  const entries: LogEntry[] = [];
  let at = BATCH_HEAD;
  for (let i = 0; i < count; i++) {
    if (at + 4 > buf.length) return { ok: false, reason: `entry ${i} of ${count} missing` };
    const end = at + 4 + buf.readUInt32LE(at);
    if (end > buf.length) return { ok: false, reason: `entry ${i} runs past the end` };
    const entry = decodeBody(buf, at + 4, end);
    if (typeof entry === 'string') return { ok: false, reason: `entry ${i}: ${entry}` };
    entries.push(entry);
    at = end;
  }
  if (at !== buf.length) return { ok: false, reason: `${buf.length - at} bytes past entry ${count}` };
  return { ok: true, entries };
}

/** The body of an entry (from `receivedAt` on) in a new buffer, after `reserve` bytes left to the caller. */
function encodeBody(entry: LogEntry, reserve: number): Buffer {
  const container = Buffer.from(entry.containerId, 'utf8');
  const device = Buffer.from(entry.deviceId, 'utf8');
  const topic = Buffer.from(entry.topic, 'utf8');
  for (const [name, bytes] of [
    ['containerId', container],
    ['deviceId', device],
    ['topic', topic],
  ] as const) {
    if (bytes.length > MAX_STRING)
      throw new RangeError(`${name} is ${bytes.length} bytes, more than ${MAX_STRING}`);
  }
  const out = Buffer.allocUnsafe(
    reserve + MIN_BODY + container.length + device.length + topic.length + entry.payload.length,
  );
  out.writeDoubleLE(entry.receivedAt, reserve);
  let at = reserve + BODY_HEAD;
  for (const bytes of [container, device, topic]) {
    out.writeUInt16LE(bytes.length, at);
    bytes.copy(out, at + 2);
    at += 2 + bytes.length;
  }
  out.set(entry.payload, at);
  return out;
}

/** The entry whose body is `buf[start, end)`, or why it is not one. */
function decodeBody(buf: Buffer, start: number, end: number): LogEntry | string {
  if (end - start < MIN_BODY) return `too short: ${end - start} bytes`;
  const receivedAt = buf.readDoubleLE(start);
  const strings: string[] = [];
  let at = start + BODY_HEAD;
  for (const name of ['containerId', 'deviceId', 'topic']) {
    if (at + 2 > end) return `truncated before ${name}`;
    const length = buf.readUInt16LE(at);
    if (at + 2 + length > end) return `${name} runs past the end`;
    strings.push(buf.toString('utf8', at + 2, at + 2 + length));
    at += 2 + length;
  }
  const [containerId, deviceId, topic] = strings as [string, string, string];
  return { containerId, deviceId, topic, payload: buf.subarray(at, end), receivedAt };
}
