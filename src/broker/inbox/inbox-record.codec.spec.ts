import fc from 'fast-check';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeInboxRecords, encodeInboxRecords } from './inbox-record.codec.js';
import type { InboxMessage } from './ingest-journal.js';

const message = fc
  .tuple(
    fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
    fc.string({ unit: 'grapheme', maxLength: 40 }),
    fc.uint8Array({ maxLength: 300 }),
    fc.integer({ min: 0, max: 4_102_444_800_000 }),
  )
  .map(([id, topic, payload, receivedAt]): InboxMessage => ({
    id,
    topic,
    payload: Buffer.from(payload),
    receivedAt,
  }));

describe('inbox record codec', () => {
  it('decodes what it encodes, in order, whatever the topic and payload bytes', () => {
    fc.assert(
      fc.property(fc.array(message, { maxLength: 20 }), (messages) => {
        const bytes = encodeInboxRecords(messages);
        assert.deepEqual(decodeInboxRecords(bytes), { messages, validBytes: bytes.length });
      }),
    );
  });

  it('keeps the whole records before a tail cut anywhere, and nothing of the cut one', () => {
    fc.assert(
      fc.property(fc.array(message, { minLength: 1, maxLength: 8 }), fc.nat(), (messages, at) => {
        const ends = messages.map((_, i) => encodeInboxRecords(messages.slice(0, i + 1)).length);
        const bytes = encodeInboxRecords(messages);
        const cut = at % bytes.length;
        const whole = ends.filter((end) => end <= cut).length;
        const decoded = decodeInboxRecords(bytes.subarray(0, cut));
        assert.deepEqual(decoded.messages, messages.slice(0, whole));
        assert.equal(decoded.validBytes, whole === 0 ? 0 : ends[whole - 1]);
      }),
    );
  });

  it('stops at a record whose bytes changed (CRC), and at a zero-filled tail', () => {
    const messages: InboxMessage[] = [
      { id: 1, topic: 'v1/devices/A/telemetry', payload: Buffer.from('{"t":4.5}'), receivedAt: 10 },
      { id: 2, topic: 'v1/devices/B/telemetry', payload: Buffer.from('{"t":5.0}'), receivedAt: 11 },
    ];
    const first = encodeInboxRecords(messages.slice(0, 1)).length;
    const flipped = encodeInboxRecords(messages);
    flipped[flipped.length - 2] ^= 0x01;
    assert.deepEqual(decodeInboxRecords(flipped), { messages: messages.slice(0, 1), validBytes: first });

    const zeroTail = Buffer.concat([encodeInboxRecords(messages), Buffer.alloc(4096)]);
    assert.equal(decodeInboxRecords(zeroTail).messages.length, 2);
    assert.equal(decodeInboxRecords(zeroTail).validBytes, zeroTail.length - 4096);
  });

  it('refuses a topic longer than MQTT allows', () => {
    const topic = 'x'.repeat(0x10000);
    assert.throws(
      () => encodeInboxRecords([{ id: 1, topic, payload: Buffer.alloc(0), receivedAt: 0 }]),
      /exceeds MQTT's 65535/,
    );
  });
});
