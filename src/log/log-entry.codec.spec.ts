import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeLogEntries, encodeBatchRecord, encodeLogBatch, encodeLogEntry } from './log-entry.codec.js';
import type { LogEntry } from './log-entry.js';

const entry: LogEntry = {
  containerId: 'REEFER-002',
  deviceId: 'sensor-ä1',
  topic: 'v1/devices/sensor-ä1/telemetry',
  payload: Buffer.from([0, 255, 7, 0x7b]),
  receivedAt: 1_765_000_000_123.5,
};

const plain = (e: LogEntry) => ({ ...e, payload: [...e.payload] });

function batch(entries: readonly LogEntry[]): Buffer {
  const records = entries.map(encodeBatchRecord);
  return encodeLogBatch(
    records,
    records.reduce((n, r) => n + r.length, 0),
  );
}

const place = { partition: 5, position: 42 };

/** The entries of `bytes`, each checked to carry the message's place, without it. */
function decodeAll(bytes: Uint8Array): LogEntry[] {
  const decoded = decodeLogEntries(bytes, place);
  assert.ok(decoded.ok, decoded.ok ? '' : decoded.reason);
  return decoded.entries.map(({ partition, position, ...entry }) => {
    assert.deepEqual({ partition, position }, place, 'every entry at its message’s place');
    return entry;
  });
}

describe('log entry codec', () => {
  it('reads back what it wrote, payload bytes untouched', () => {
    assert.deepEqual(decodeAll(encodeLogEntry(entry)).map(plain), [plain(entry)]);
  });

  it('reads back several entries of one message in their order, each payload its own', () => {
    const second = { ...entry, deviceId: 'd2', payload: Buffer.from('{"t":5}'), receivedAt: 2 };
    const third = { ...entry, containerId: '', payload: new Uint8Array(0) };
    assert.deepEqual(decodeAll(batch([entry, second, third])).map(plain), [entry, second, third].map(plain));
  });

  it('keeps an empty payload and empty strings apart', () => {
    for (const bytes of [encodeLogEntry, (e: LogEntry) => batch([e])]) {
      const [decoded] = decodeAll(bytes({ ...entry, deviceId: '', payload: new Uint8Array(0) }));
      assert.equal(decoded.deviceId, '');
      assert.equal(decoded.topic, entry.topic);
      assert.equal(decoded.payload.length, 0);
    }
  });

  it('decodes from a view into a larger buffer (a message inside a socket read)', () => {
    const bytes = batch([entry, entry]);
    const framed = Buffer.concat([Buffer.from('junk'), bytes, Buffer.from('tail')]);
    const decoded = decodeAll(framed.subarray(4, 4 + bytes.length));
    assert.equal(decoded.length, 2);
    assert.equal(decoded[1].containerId, 'REEFER-002');
    assert.deepEqual([...decoded[1].payload], [0, 255, 7, 0x7b]);
  });

  it('refuses foreign or damaged bytes with a reason, never throwing', () => {
    const one = encodeLogEntry(entry);
    const two = batch([entry, entry]);
    const cases: [Uint8Array, string][] = [
      [Buffer.from('{"t":4}'), 'unknown version 123'],
      [Buffer.alloc(0), 'empty'],
      [Buffer.from([1, 0, 0]), 'too short: 3 bytes'],
      [Buffer.concat([Buffer.from([9]), one.subarray(1)]), 'unknown version 9'],
      [one.subarray(0, 25), 'deviceId runs past the end'],
      [two.subarray(0, 3), 'too short: 3 bytes'],
      [two.subarray(0, two.length - 1), 'entry 1 runs past the end'],
      [Buffer.concat([two, Buffer.from([0])]), '1 bytes past entry 2'],
    ];
    const count = Buffer.from(two);
    count.writeUInt32LE(3, 1);
    cases.push([count, 'entry 2 of 3 missing']);
    for (const [bytes, reason] of cases)
      assert.deepEqual(decodeLogEntries(bytes, place), { ok: false, reason });
  });

  it('refuses a string too long for its length field', () => {
    assert.throws(() => encodeLogEntry({ ...entry, topic: 'x'.repeat(70_000) }), /topic is 70000 bytes/);
    assert.throws(() => encodeBatchRecord({ ...entry, deviceId: 'x'.repeat(70_000) }), /deviceId is 70000/);
  });
});
