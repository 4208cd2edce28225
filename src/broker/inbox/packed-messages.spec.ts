import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import type { InboxMessage } from './ingest-journal.js';
import { packMessages, transferablesOf, unpackMessages, type PackedMessages } from './packed-messages.js';

describe('packed inbox messages', () => {
  const messages: InboxMessage[] = [
    { id: 7, topic: 'v1/devices/A/telemetry', payload: Buffer.from('{"t":1}'), receivedAt: 1000 },
    { id: 8, topic: 'application/x/device/0011/event/up', payload: Buffer.alloc(0), receivedAt: 1001 },
    { id: 10, topic: 'v1/devices/B/telemetry', payload: Buffer.from([0, 255, 1]), receivedAt: 1002 },
  ];

  it('cross a thread boundary (transferred, not copied) and come out identical, in order', () => {
    const { port1, port2 } = new MessageChannel();
    const packed = packMessages(messages);
    port1.postMessage(packed, transferablesOf(packed));
    assert.equal(packed.payloads.byteLength, 0, 'the payload buffer was handed over');
    const received = receiveMessageOnPort(port2)?.message as PackedMessages;
    port1.close();
    const out = unpackMessages(received);
    assert.deepEqual(
      out.map((m) => ({ ...m, payload: Buffer.from(m.payload) })),
      messages,
    );
    assert.ok(out.every((m) => Buffer.isBuffer(m.payload)));
  });
});
