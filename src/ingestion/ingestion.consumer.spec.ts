import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UNPOSITIONED } from '#src/contracts/log-position.js';
import { IngestionConsumer } from './ingestion.consumer.js';
import type { IngestionService } from './ingestion.service.js';

/** The service's three entry points, recorded; one topic makes the native one throw. */
class ServiceDouble {
  readonly calls: [string, string][] = [];
  ingestNative(topic: string, payload: Buffer, position: number): number {
    if (topic === 'v1/devices/bad/telemetry') throw new Error('boom');
    this.calls.push(['native', `${topic} ${payload.toString()} @${position}`]);
    return 1;
  }
  ingestChirpstack(topic: string, payload: Buffer, position: number): number {
    this.calls.push(['chirpstack', `${topic} ${payload.toString()} @${position}`]);
    return 1;
  }
  ingestTts(topic: string, payload: Buffer, position: number): number {
    this.calls.push(['tts', `${topic} ${payload.toString()} @${position}`]);
    return 1;
  }
}

describe(IngestionConsumer.name, () => {
  const start = () => {
    const service = new ServiceDouble();
    return { service, consumer: new IngestionConsumer(service as unknown as IngestionService) };
  };

  it('hands each message, with its log position, to the service method of the filter its topic matches', () => {
    const { service, consumer } = start();
    consumer.consume('v1/devices/d1/telemetry', Buffer.from('a'), 1);
    consumer.consume('application/app/device/0011/event/up', Buffer.from('b'), 2);
    consumer.consume('v3/app@tenant/devices/dev/up', Buffer.from('c'), UNPOSITIONED);
    consumer.consume('v1/devices/d1/status', Buffer.from('d'), 4);
    assert.deepEqual(service.calls, [
      ['native', 'v1/devices/d1/telemetry a @1'],
      ['chirpstack', 'application/app/device/0011/event/up b @2'],
      ['tts', 'v3/app@tenant/devices/dev/up c @Infinity'],
    ]);
  });

  it('goes on after a message whose handling throws', () => {
    const { service, consumer } = start();
    consumer.consume('v1/devices/bad/telemetry', Buffer.from('x'), 1);
    consumer.consume('v1/devices/ok/telemetry', Buffer.from('y'), 2);
    assert.deepEqual(service.calls, [['native', 'v1/devices/ok/telemetry y @2']]);
  });

  it('lists the filters an MQTT subscription needs', () => {
    const { consumer } = start();
    assert.deepEqual(
      consumer.routes.map((r) => r.filter),
      ['v1/devices/+/telemetry', 'application/+/device/+/event/up', 'v3/+/devices/+/up'],
    );
  });
});
