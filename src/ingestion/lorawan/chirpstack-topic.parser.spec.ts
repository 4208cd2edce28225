import fc from 'fast-check';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseTopic } from '#src/contracts/topics.js';
import { parseChirpstackUplinkTopic } from './chirpstack-topic.parser.js';

function reference(topic: string): ReturnType<typeof parseChirpstackUplinkTopic> {
  const parsed = parseTopic(topic);
  return parsed?.kind === 'chirpstackUplink' ? parsed : undefined;
}

describe(parseChirpstackUplinkTopic.name, () => {
  it('reads the application id and DevEUI of an uplink topic and nothing else', () => {
    assert.deepEqual(parseChirpstackUplinkTopic('application/42/device/70b3d57ed0000101/event/up'), {
      kind: 'chirpstackUplink',
      applicationId: '42',
      devEui: '70b3d57ed0000101',
    });
    for (const topic of [
      'application/42/device/event/up',
      'application//device/70b3d57ed0000101/event/up',
      'application/42/device//event/up',
      'application/42/device/a/b/event/up',
      'application/42/devices/70b3d57ed0000101/event/up',
      'application/4/2/device/70b3d57ed0000101/event/up',
      'application/../device/70b3d57ed0000101/event/up',
      'application/42/device/С1/event/up',
      'application/42/device/70b3d57ed0000101/event/join',
      'application/42/device/70b3d57ed0000101/event/up/',
      'application/device/event/up',
      'application/event/up',
    ])
      assert.equal(parseChirpstackUplinkTopic(topic), undefined, topic);
  });

  it('agrees with parseTopic on random topics', () => {
    const level = fc.oneof(
      fc.constantFrom('application', 'device', 'event', 'up', 'join', '', '..', '42', 'a.b', '+', '#', 'С1'),
      fc.string({ maxLength: 8 }),
    );
    const topic = fc.oneof(
      fc.array(level, { minLength: 1, maxLength: 8 }).map((l) => l.join('/')),
      fc.tuple(level, level).map(([app, eui]) => `application/${app}/device/${eui}/event/up`),
    );
    fc.assert(
      fc.property(topic, (t) => assert.deepEqual(parseChirpstackUplinkTopic(t), reference(t), t)),
      { numRuns: 20_000 },
    );
  });
});
