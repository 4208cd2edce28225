import type { LogEntry } from './log-entry.js';

/**
 * The bytes of one log entry (a JetStream message's body), little-endian:
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
 * Binary rather than JSON or NATS headers: the payload travels untouched (no base64), and the
 * three strings cost a length each, so encoding is one allocation and decoding one pass.
 */
export const LOG_ENTRY_VERSION = 1;
const HEADER = 1 + 8;
const MAX_STRING = 0xffff;

/** The entry's bytes. Throws a RangeError for a string longer than 65,535 UTF-8 bytes. */
export function encodeLogEntry(entry: LogEntry): Buffer {
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
    HEADER + 6 + container.length + device.length + topic.length + entry.payload.length,
  );
  out.writeUInt8(LOG_ENTRY_VERSION, 0);
  out.writeDoubleLE(entry.receivedAt, 1);
  let at = HEADER;
  for (const bytes of [container, device, topic]) {
    out.writeUInt16LE(bytes.length, at);
    bytes.copy(out, at + 2);
    at += 2 + bytes.length;
  }
  out.set(entry.payload, at);
  return out;
}

/** A decoded entry, or why the bytes are not one (a foreign or damaged message on the subject). */
export type DecodedLogEntry = { ok: true; entry: LogEntry } | { ok: false; reason: string };

/** Reads an entry back; never throws. The payload is a view on `bytes`, not a copy. */
export function decodeLogEntry(bytes: Uint8Array): DecodedLogEntry {
  if (bytes.length < HEADER + 6) return { ok: false, reason: `too short: ${bytes.length} bytes` };
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const version = buf.readUInt8(0);
  if (version !== LOG_ENTRY_VERSION) return { ok: false, reason: `unknown version ${version}` };
  const receivedAt = buf.readDoubleLE(1);
  const strings: string[] = [];
  let at = HEADER;
  for (const name of ['containerId', 'deviceId', 'topic']) {
    if (at + 2 > buf.length) return { ok: false, reason: `truncated before ${name}` };
    const length = buf.readUInt16LE(at);
    if (at + 2 + length > buf.length) return { ok: false, reason: `${name} runs past the end` };
    strings.push(buf.toString('utf8', at + 2, at + 2 + length));
    at += 2 + length;
  }
  const [containerId, deviceId, topic] = strings as [string, string, string];
  return { ok: true, entry: { containerId, deviceId, topic, payload: buf.subarray(at), receivedAt } };
}
