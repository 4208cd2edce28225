import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IngestionConsumer } from './ingestion.consumer.js';
import type { IngestionService } from './ingestion.service.js';

/** The service's three entry points, recorded; one topic makes the native one throw. */
class ServiceDouble {
  readonly calls: [string, string][] = [];
  ingestNative(topic: string, payload: Buffer): number {
    if (topic === 'v1/devices/bad/telemetry') throw new Error('boom');
    this.calls.push(['native', `${topic} ${payload.toString()}`]);
    return 1;
  }
  ingestChirpstack(topic: string, payload: Buffer): number {
    this.calls.push(['chirpstack', `${topic} ${payload.toString()}`]);
    return 1;
  }
  ingestTts(topic: string, payload: Buffer): number {
    this.calls.push(['tts', `${topic} ${payload.toString()}`]);
    return 1;
  }
}

describe(IngestionConsumer.name, () => {
  const start = () => {
    const service = new ServiceDouble();
    return { service, consumer: new IngestionConsumer(service as unknown as IngestionService) };
  };

  it('hands each message to the service method of the filter its topic matches', () => {
    const { service, consumer } = start();
    consumer.consume('v1/devices/d1/telemetry', Buffer.from('a'));
    consumer.consume('application/app/device/0011/event/up', Buffer.from('b'));
    consumer.consume('v3/app@tenant/devices/dev/up', Buffer.from('c'));
    consumer.consume('v1/devices/d1/status', Buffer.from('d'));
    assert.deepEqual(service.calls, [
      ['native', 'v1/devices/d1/telemetry a'],
      ['chirpstack', 'application/app/device/0011/event/up b'],
      ['tts', 'v3/app@tenant/devices/dev/up c'],
    ]);
  });

  it('goes on after a message whose handling throws', () => {
    const { service, consumer } = start();
    consumer.consume('v1/devices/bad/telemetry', Buffer.from('x'));
    consumer.consume('v1/devices/ok/telemetry', Buffer.from('y'));
    assert.deepEqual(service.calls, [['native', 'v1/devices/ok/telemetry y']]);
  });

  it('lists the filters an MQTT subscription needs', () => {
    const { consumer } = start();
    assert.deepEqual(
      consumer.routes.map((r) => r.filter),
      ['v1/devices/+/telemetry', 'application/+/device/+/event/up', 'v3/+/devices/+/up'],
    );
  });
});
