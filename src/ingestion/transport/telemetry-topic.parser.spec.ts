import fc from 'fast-check';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseTopic } from '#src/contracts/topics.js';
import { telemetryTopicDeviceId } from './telemetry-topic.parser.js';

function reference(topic: string): string | undefined {
  const parsed = parseTopic(topic);
  return parsed?.kind === 'deviceTelemetry' ? parsed.deviceId : undefined;
}

describe(telemetryTopicDeviceId.name, () => {
  it('reads the device id of a telemetry topic and nothing else', () => {
    assert.equal(telemetryTopicDeviceId('v1/devices/D-1/telemetry'), 'D-1');
    for (const topic of [
      'v1/devices/telemetry',
      'v1/devices//telemetry',
      'v1/devices/a/b/telemetry',
      'v1/devices/../telemetry',
      'v1/devices/С1/telemetry',
      'v1/devices/D-1/status',
      'v2/devices/D-1/telemetry',
      'v1/devices/D-1/telemetry/',
    ])
      assert.equal(telemetryTopicDeviceId(topic), undefined, topic);
  });

  it('agrees with parseTopic on random topics', () => {
    const level = fc.oneof(
      fc.constantFrom('v1', 'devices', 'telemetry', 'status', '', '..', 'D-1', 'a.b', '+', '#', 'С1'),
      fc.string({ maxLength: 8 }),
    );
    const topic = fc.oneof(
      fc.array(level, { minLength: 1, maxLength: 6 }).map((l) => l.join('/')),
      level.map((id) => `v1/devices/${id}/telemetry`),
    );
    fc.assert(
      fc.property(topic, (t) => assert.equal(telemetryTopicDeviceId(t), reference(t), t)),
      { numRuns: 20_000 },
    );
  });
});
