import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isValidId, DEV_EUI_PATTERN } from '#src/contracts/identifiers.js';
import { parseTopic } from '#src/contracts/topics.js';
import { decodeCayenneLpp } from '#src/ingestion/codecs/cayenne-lpp.codec.js';
import { loadScenario } from '../scenario/scenario.loader.js';
import type { WireFormat } from '../scenario/scenario.types.js';
import { buildWorld } from '../world/fleet.js';
import { generateMessages } from '../generator/message.generator.js';
import { LPP_CHANNELS } from './lpp-frame.js';
import { encodeTtsUplink } from './tts.format.js';

const START = Date.parse('2026-03-02T04:00:00Z');

function messagesOf(format: WireFormat, count = 50): { topic: string; body: any; atSimMs: number }[] {
  const world = buildWorld(loadScenario('normal-day'), {
    seed: 'formats',
    startMs: START,
    durationMs: 3_600_000,
    devices: 4,
  });
  const out = [];
  for (const m of generateMessages(world, format)) {
    out.push({ topic: m.topic, body: JSON.parse(m.payload.toString()), atSimMs: m.atSimMs });
    if (out.length === count) break;
  }
  return out;
}

function lppOf(base64: string): Map<number, unknown> {
  const decoded = decodeCayenneLpp(Buffer.from(base64, 'base64'));
  assert.ok(decoded.ok, JSON.stringify(decoded));
  return new Map(decoded.values.map((v) => [v.channel, v.value]));
}

describe('wire formats', () => {
  it('json: a native reading on the device telemetry topic', () => {
    for (const { topic, body, atSimMs } of messagesOf('json')) {
      const parsed = parseTopic(topic);
      assert.equal(parsed?.kind, 'deviceTelemetry');
      assert.equal(Date.parse(body.ts), atSimMs);
      assert.ok(body.temperature > 0 && body.temperature < 5);
      assert.ok(body.humidity >= 0 && body.humidity <= 100);
      assert.ok(Math.abs(Math.hypot(body.accel.x, body.accel.y, body.accel.z) - body.shock) < 0.01);
      assert.ok(body.lat > 43 && body.lat < 51 && body.lon > 2 && body.lon < 6);
      assert.ok(['open', 'closed'].includes(body.door));
      assert.equal(typeof body.seq, 'number');
    }
  });

  it('chirpstack: a v4 uplink event whose data decodes as our Cayenne LPP frame', () => {
    for (const { topic, body } of messagesOf('chirpstack')) {
      const parsed = parseTopic(topic);
      assert.equal(parsed?.kind, 'chirpstackUplink');
      assert.ok(parsed.kind === 'chirpstackUplink' && parsed.devEui === body.deviceInfo.devEui);
      assert.match(body.deviceInfo.devEui, DEV_EUI_PATTERN);
      assert.match(
        body.deduplicationId,
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
      assert.ok(Number.isInteger(body.fCnt) && body.fPort === 1 && body.rxInfo.length >= 1);
      for (const rx of body.rxInfo)
        assert.ok(rx.rssi < -30 && rx.rssi > -140 && rx.snr <= 10 && rx.snr >= -20);
      const lpp = lppOf(body.data);
      const t = lpp.get(LPP_CHANNELS.temperature) as number;
      assert.ok(t > 0 && t < 5);
      const gps = lpp.get(LPP_CHANNELS.gps) as { lat: number; lon: number };
      assert.ok(gps.lat > 43 && gps.lat < 51);
      const unix = lpp.get(LPP_CHANNELS.unixTime) as number;
      assert.ok(Math.abs(unix * 1000 - Date.parse(body.time)) < 2000);
      assert.ok(
        lpp.has(LPP_CHANNELS.humidity) &&
          lpp.has(LPP_CHANNELS.accelerometer) &&
          lpp.has(LPP_CHANNELS.battery),
      );
    }
  });

  it('tts: a v3 uplink message whose frm_payload decodes as our Cayenne LPP frame', () => {
    for (const { topic, body } of messagesOf('tts')) {
      const parsed = parseTopic(topic);
      assert.equal(parsed?.kind, 'ttsUplink');
      assert.ok(parsed.kind === 'ttsUplink' && parsed.deviceId === body.end_device_ids.device_id);
      assert.ok(isValidId(body.end_device_ids.device_id));
      const up = body.uplink_message;
      assert.equal(up.f_port, 1);
      assert.ok(
        up.rx_metadata.length >= 1 && typeof up.settings.data_rate.lora.spreading_factor === 'number',
      );
      const lpp = lppOf(up.frm_payload);
      assert.ok(typeof lpp.get(LPP_CHANNELS.temperature) === 'number');
    }
  });

  it('tts: omits f_cnt when it is 0, as The Things Stack does', () => {
    const uplink = {
      fCnt: 0,
      deliverAtMs: START,
      receivedAtMs: START,
      receptions: [],
      spreadingFactor: 7,
      uplinkId: '00000000-0000-4000-8000-000000000000',
    };
    const ids = { applicationId: 'app', tenantId: 'ttn', netId: '000013' };
    const device = { deviceId: 'dev-1', devEui: '0011223344556677', devAddr: '01020304' };
    const zero = JSON.parse(encodeTtsUplink(device, Buffer.from([1]), uplink, ids).payload.toString());
    assert.equal('f_cnt' in zero.uplink_message, false);
    const one = JSON.parse(
      encodeTtsUplink(device, Buffer.from([1]), { ...uplink, fCnt: 1 }, ids).payload.toString(),
    );
    assert.equal(one.uplink_message.f_cnt, 1);
  });
});
