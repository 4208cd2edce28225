import type { LogPosition } from '#src/contracts/log-position.js';
import type { LogEntry, LoggedEntry } from './log-entry.js';

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
 * three strings cost a length each, so encoding is one allocation per entry (the strings written
 * straight into it) and decoding one pass.
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
export type DecodedLogEntries = { ok: true; entries: LoggedEntry[] } | { ok: false; reason: string };

/** Where a message is in the log: each of its entries carries it. */
export interface LogPlace {
  readonly partition: number;
  readonly position: LogPosition;
}

/**
 * Reads the entries of the message at `at` back, in the order they were appended; never throws.
 * Payloads are views on `bytes`, not copies. A damaged message yields no entry at all: a partial
 * one would be applied and then, the position being the message's, never completed.
 */
export function decodeLogEntries(bytes: Uint8Array, at: LogPlace): DecodedLogEntries {
  if (bytes.length < 1) return { ok: false, reason: 'empty' };
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const version = buf.readUInt8(0);
  if (version === LOG_ENTRY_VERSION) {
    if (buf.length < 1 + MIN_BODY) return { ok: false, reason: `too short: ${buf.length} bytes` };
    const one = decodeBody(buf, 1, buf.length, at);
    return typeof one === 'string' ? { ok: false, reason: one } : { ok: true, entries: [one] };
  }
  if (version !== LOG_BATCH_VERSION) return { ok: false, reason: `unknown version ${version}` };
  if (buf.length < BATCH_HEAD) return { ok: false, reason: `too short: ${buf.length} bytes` };
  const count = buf.readUInt32LE(1);
  const entries: LoggedEntry[] = [];
  let from = BATCH_HEAD;
  for (let i = 0; i < count; i++) {
    if (from + 4 > buf.length) return { ok: false, reason: `entry ${i} of ${count} missing` };
    const end = from + 4 + buf.readUInt32LE(from);
    if (end > buf.length) return { ok: false, reason: `entry ${i} runs past the end` };
    const entry = decodeBody(buf, from + 4, end, at);
    if (typeof entry === 'string') return { ok: false, reason: `entry ${i}: ${entry}` };
    entries.push(entry);
    from = end;
  }
  if (from !== buf.length) return { ok: false, reason: `${buf.length - from} bytes past entry ${count}` };
  return { ok: true, entries };
}

/**
 * The body of an entry (from `receivedAt` on) in a new buffer, after `reserve` bytes left to the
 * caller. The strings are measured, then written in place: no buffer of their own each.
 */
function encodeBody(entry: LogEntry, reserve: number): Buffer {
  const container = utf8Length('containerId', entry.containerId);
  const device = utf8Length('deviceId', entry.deviceId);
  const topic = utf8Length('topic', entry.topic);
  const out = Buffer.allocUnsafe(reserve + MIN_BODY + container + device + topic + entry.payload.length);
  out.writeDoubleLE(entry.receivedAt, reserve);
  let at = writeString(out, reserve + BODY_HEAD, entry.containerId, container);
  at = writeString(out, at, entry.deviceId, device);
  at = writeString(out, at, entry.topic, topic);
  out.set(entry.payload, at);
  return out;
}

/** The UTF-8 length of a string field; a RangeError past what its uint16 length can say. */
function utf8Length(name: string, value: string): number {
  const length = isAscii(value) ? value.length : Buffer.byteLength(value, 'utf8');
  if (length > MAX_STRING) throw new RangeError(`${name} is ${length} bytes, more than ${MAX_STRING}`);
  return length;
}

/** Writes `value` (`length` UTF-8 bytes) with its length at `at`; returns the offset past it. */
function writeString(out: Buffer, at: number, value: string, length: number): number {
  out.writeUInt16LE(length, at);
  // As many bytes as UTF-16 units only when every one is ASCII (any other takes 2 bytes or more):
  // copied here, which for ids and topics is half the cost of a call into the UTF-8 encoder.
  if (length === value.length) for (let i = 0; i < length; i++) out[at + 2 + i] = value.charCodeAt(i);
  else out.write(value, at + 2, length, 'utf8');
  return at + 2 + length;
}

function isAscii(value: string): boolean {
  for (let i = 0; i < value.length; i++) if (value.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** The entry whose body is `buf[start, end)`, at its place in the log, or why it is not one. */
function decodeBody(buf: Buffer, start: number, end: number, at: LogPlace): LoggedEntry | string {
  if (end - start < MIN_BODY) return `too short: ${end - start} bytes`;
  const containerAt = start + BODY_HEAD;
  const deviceAt = stringEnd(buf, containerAt, end);
  if (deviceAt < 0) return stringProblem('containerId', deviceAt);
  const topicAt = stringEnd(buf, deviceAt, end);
  if (topicAt < 0) return stringProblem('deviceId', topicAt);
  const payloadAt = stringEnd(buf, topicAt, end);
  if (payloadAt < 0) return stringProblem('topic', payloadAt);
  return {
    containerId: buf.toString('utf8', containerAt + 2, deviceAt),
    deviceId: buf.toString('utf8', deviceAt + 2, topicAt),
    topic: buf.toString('utf8', topicAt + 2, payloadAt),
    payload: buf.subarray(payloadAt, end),
    receivedAt: buf.readDoubleLE(start),
    partition: at.partition,
    position: at.position,
  };
}

const TRUNCATED = -1;
const RUNS_PAST = -2;

/** The offset past the length-prefixed string at `at`, or why there is none (negative). */
function stringEnd(buf: Buffer, at: number, end: number): number {
  if (at + 2 > end) return TRUNCATED;
  const past = at + 2 + buf.readUInt16LE(at);
  return past > end ? RUNS_PAST : past;
}

function stringProblem(name: string, problem: number): string {
  return problem === TRUNCATED ? `truncated before ${name}` : `${name} runs past the end`;
}
