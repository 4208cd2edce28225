import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MqttContext } from '@nestjs/microservices';
import { forEachMqttMessage, MqttMessageBatch } from './mqtt-message-batch.js';

describe(MqttMessageBatch.name, () => {
  const messages = ['a', 'b', 'c'].map((id) => ({
    topic: `v1/devices/${id}/telemetry`,
    payload: Buffer.from(id),
  }));

  it('reads as its first message to code that knows nothing of batches', () => {
    const batch = new MqttMessageBatch(messages);
    assert.equal(batch.getTopic(), 'v1/devices/a/telemetry');
    assert.deepEqual((batch.getPacket() as { payload: Buffer }).payload, Buffer.from('a'));
  });

  it('hands every message of a batch over in order, past one that throws', () => {
    const seen: string[] = [];
    forEachMqttMessage(new MqttMessageBatch(messages), (topic, payload) => {
      seen.push(`${topic}=${payload.toString()}`);
      if (payload.toString() === 'b') throw new Error('bad message');
    });
    assert.deepEqual(seen, [
      'v1/devices/a/telemetry=a',
      'v1/devices/b/telemetry=b',
      'v1/devices/c/telemetry=c',
    ]);
  });

  it('hands over the one message of a plain MqttContext, string payloads as bytes', () => {
    const seen: [string, Buffer][] = [];
    const context = new MqttContext(['v1/devices/x/telemetry', { payload: '{"t":1}' }]);
    forEachMqttMessage(context, (topic, payload) => seen.push([topic, payload]));
    assert.deepEqual(seen, [['v1/devices/x/telemetry', Buffer.from('{"t":1}')]]);
  });
});
