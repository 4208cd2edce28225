import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeLogEntry, encodeLogEntry } from './log-entry.codec.js';
import type { LogEntry } from './log-entry.js';

const entry: LogEntry = {
  containerId: 'REEFER-002',
  deviceId: 'sensor-ä1',
  topic: 'v1/devices/sensor-ä1/telemetry',
  payload: Buffer.from([0, 255, 7, 0x7b]),
  receivedAt: 1_765_000_000_123.5,
};

describe('log entry codec', () => {
  it('reads back what it wrote, payload bytes untouched', () => {
    const decoded = decodeLogEntry(encodeLogEntry(entry));
    assert.ok(decoded.ok);
    assert.deepEqual(
      { ...decoded.entry, payload: [...decoded.entry.payload] },
      { ...entry, payload: [0, 255, 7, 0x7b] },
    );
  });

  it('keeps an empty payload and empty strings apart', () => {
    const decoded = decodeLogEntry(encodeLogEntry({ ...entry, deviceId: '', payload: new Uint8Array(0) }));
    assert.ok(decoded.ok);
    assert.equal(decoded.entry.deviceId, '');
    assert.equal(decoded.entry.topic, entry.topic);
    assert.equal(decoded.entry.payload.length, 0);
  });

  it('decodes from a view into a larger buffer (a message inside a socket read)', () => {
    const bytes = encodeLogEntry(entry);
    const framed = Buffer.concat([Buffer.from('junk'), bytes, Buffer.from('tail')]);
    const decoded = decodeLogEntry(framed.subarray(4, 4 + bytes.length));
    assert.ok(decoded.ok);
    assert.equal(decoded.entry.containerId, 'REEFER-002');
    assert.deepEqual([...decoded.entry.payload], [0, 255, 7, 0x7b]);
  });

  it('refuses foreign or damaged bytes with a reason, never throwing', () => {
    const bytes = encodeLogEntry(entry);
    assert.deepEqual(decodeLogEntry(Buffer.from('{"t":4}')), { ok: false, reason: 'too short: 7 bytes' });
    assert.deepEqual(decodeLogEntry(Buffer.concat([Buffer.from([9]), bytes.subarray(1)])), {
      ok: false,
      reason: 'unknown version 9',
    });
    assert.deepEqual(decodeLogEntry(bytes.subarray(0, 25)), {
      ok: false,
      reason: 'deviceId runs past the end',
    });
  });

  it('refuses a string too long for its length field', () => {
    assert.throws(() => encodeLogEntry({ ...entry, topic: 'x'.repeat(70_000) }), /topic is 70000 bytes/);
  });
});
