import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { appendDedupeId } from './append-dedupe.id.js';

const TOPIC = 'v1/devices/sensor-1/telemetry';
const origin = (messageId: number) => ({ qos: 1 as const, messageId });

describe(appendDedupeId.name, () => {
  it('is the same for a message and its resend (same client, packet id and bytes)', () => {
    const payload = Buffer.from('{"temperature":4}');
    assert.equal(
      appendDedupeId(origin(7), 'sensor-1', TOPIC, payload),
      appendDedupeId(origin(7), 'sensor-1', TOPIC, Buffer.from(payload)),
    );
  });

  it('differs for another packet id, client, topic or payload', () => {
    const payload = Buffer.from('{"temperature":4}');
    const ids = new Set([
      appendDedupeId(origin(7), 'sensor-1', TOPIC, payload),
      appendDedupeId(origin(8), 'sensor-1', TOPIC, payload),
      appendDedupeId(origin(7), 'sensor-2', TOPIC, payload),
      appendDedupeId(origin(7), 'sensor-1', 'v1/devices/sensor-2/telemetry', payload),
      // A device restarted numbers from 1 again: a new reading under an old packet id.
      appendDedupeId(origin(7), 'sensor-1', TOPIC, Buffer.from('{"temperature":5}')),
    ]);
    assert.equal(ids.size, 5);
  });

  it('is the SHA-1 of client id, packet id, topic and payload, so ids made before stay valid', () => {
    const payload = Buffer.from('{"temperature":4,"unit":"°C"}');
    const expected = createHash('sha1')
      .update(`capteur-é\u00007\u0000${TOPIC}\u0000`)
      .update(payload)
      .digest('base64url');
    assert.equal(appendDedupeId(origin(7), 'capteur-é', TOPIC, payload), expected);
  });

  it('gives QoS 0 no id: there is no resend to recognise', () => {
    assert.equal(
      appendDedupeId({ qos: 0, messageId: undefined }, 'sensor-1', TOPIC, Buffer.from('x')),
      undefined,
    );
  });
});
