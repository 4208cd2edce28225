import { crc32 } from 'node:zlib';
import type { InboxMessage } from './ingest-journal.js';

/**
 * One inbox record on disk, little-endian:
 *
 * | bytes | field                                           |
 * | ----- | ----------------------------------------------- |
 * | 4     | body length                                     |
 * | 4     | CRC-32 of the body                              |
 * | 8     | id (float64, an integer)                        |
 * | 8     | received at, epoch ms (float64)                 |
 * | 2     | topic length in bytes                           |
 * | …     | topic, UTF-8                                    |
 * | …     | payload, as published                           |
 *
 * The CRC finds the torn or zero-filled tail an OS crash can leave after the last write the disk
 * kept; such a record was never acknowledged as durable beyond the page cache.
 */
const HEADER_BYTES = 8;
const FIXED_BODY_BYTES = 18;
/** An MQTT topic is at most 65,535 bytes [MQTT-1.5.3]. */
const MAX_TOPIC_BYTES = 0xffff;

/** Encodes messages as consecutive records in one buffer (one write per group commit). */
export function encodeInboxRecords(messages: readonly InboxMessage[]): Buffer {
  const topicBytes = new Array<number>(messages.length);
  let size = 0;
  for (let i = 0; i < messages.length; i++) {
    const bytes = Buffer.byteLength(messages[i].topic);
    if (bytes > MAX_TOPIC_BYTES)
      throw new RangeError(`topic of ${bytes} bytes exceeds MQTT's ${MAX_TOPIC_BYTES}`);
    topicBytes[i] = bytes;
    size += HEADER_BYTES + FIXED_BODY_BYTES + bytes + messages[i].payload.length;
  }
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i];
    const body = at + HEADER_BYTES;
    const bodyLength = FIXED_BODY_BYTES + topicBytes[i] + m.payload.length;
    out.writeUInt32LE(bodyLength, at);
    out.writeDoubleLE(m.id, body);
    out.writeDoubleLE(m.receivedAt, body + 8);
    out.writeUInt16LE(topicBytes[i], body + 16);
    out.write(m.topic, body + FIXED_BODY_BYTES, 'utf8');
    m.payload.copy(out, body + FIXED_BODY_BYTES + topicBytes[i]);
    out.writeUInt32LE(crc32(out.subarray(body, body + bodyLength)), at + 4);
    at = body + bodyLength;
  }
  return out;
}

export interface DecodedInboxRecords {
  messages: InboxMessage[];
  /** Bytes of whole, intact records from the start; anything after is a torn or corrupt tail. */
  validBytes: number;
}

/** Decodes records from the start of `bytes`, stopping at the first incomplete or corrupt one. */
export function decodeInboxRecords(bytes: Buffer): DecodedInboxRecords {
  const messages: InboxMessage[] = [];
  let at = 0;
  while (at + HEADER_BYTES + FIXED_BODY_BYTES <= bytes.length) {
    const bodyLength = bytes.readUInt32LE(at);
    const body = at + HEADER_BYTES;
    if (bodyLength < FIXED_BODY_BYTES || body + bodyLength > bytes.length) break;
    const bodyBytes = bytes.subarray(body, body + bodyLength);
    if (crc32(bodyBytes) !== bytes.readUInt32LE(at + 4)) break;
    const topicLength = bodyBytes.readUInt16LE(16);
    if (FIXED_BODY_BYTES + topicLength > bodyLength) break;
    messages.push({
      id: bodyBytes.readDoubleLE(0),
      receivedAt: bodyBytes.readDoubleLE(8),
      topic: bodyBytes.toString('utf8', FIXED_BODY_BYTES, FIXED_BODY_BYTES + topicLength),
      // A copy: a view would keep the whole segment file's buffer alive with the message.
      payload: Buffer.from(bodyBytes.subarray(FIXED_BODY_BYTES + topicLength)),
    });
    at = body + bodyLength;
  }
  return { messages, validBytes: at };
}
