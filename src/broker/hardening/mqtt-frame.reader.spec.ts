import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MqttFrameReader } from './mqtt-frame.reader.js';

void describe(MqttFrameReader.name, () => {
  void it('cuts frames split across chunks and several frames in one chunk', () => {
    const reader = new MqttFrameReader(1024);
    const ping = Buffer.from([0xc0, 0x00]);
    const publish = Buffer.from([0x30, 0x05, 0x00, 0x01, 0x61, 0x68, 0x69]);
    assert.deepEqual(reader.push(publish.subarray(0, 3)), { ok: true, frames: [] });
    const result = reader.push(Buffer.concat([publish.subarray(3), ping, ping.subarray(0, 1)]));
    assert.equal(result.ok, true);
    if (!result.ok) return;
    assert.deepEqual(
      result.frames.map((f) => [f.type, f.raw.length, f.body.length]),
      [
        [3, 7, 5],
        [12, 2, 0],
      ],
    );
    assert.equal(reader.bufferedBytes, 1);
  });

  void it('refuses a frame larger than the limit from its header alone', () => {
    const reader = new MqttFrameReader(64 * 1024);
    // 200 MiB declared: 0x30, remaining length 0x80 0x80 0x80 0x64.
    assert.deepEqual(reader.push(Buffer.from([0x30, 0x80, 0x80, 0x80, 0x64])), {
      ok: false,
      reason: 'packet_too_large',
    });
  });

  void it('refuses a remaining length of five bytes', () => {
    const reader = new MqttFrameReader(64 * 1024);
    assert.deepEqual(reader.push(Buffer.from([0x10, 0xff, 0xff, 0xff, 0xff, 0x7f])), {
      ok: false,
      reason: 'malformed',
    });
  });

  void it('lets a header check refuse before the body arrives', () => {
    const reader = new MqttFrameReader(1024);
    const result = reader.push(Buffer.from([0x30, 0x7f]), (type) =>
      type === 3 ? 'first_packet_not_connect' : undefined,
    );
    assert.deepEqual(result, { ok: false, reason: 'first_packet_not_connect' });
  });
});
