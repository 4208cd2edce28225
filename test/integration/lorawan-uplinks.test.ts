import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { MqttClient } from 'mqtt';
import { chirpstackUplinkTopic } from '#src/contracts/topics.js';
import {
  CHIRPSTACK,
  CHIRPSTACK_TOPIC,
  chirpstackUplink,
  metricValue,
  temperatureFrame,
  toPayload,
  TTS,
  TTS_TOPIC,
  ttsUplink,
} from '#test/support/lorawan/lorawan-uplinks.js';
import { startTestApp, type TestApp } from '#test/support/test-app.js';
import { waitFor } from '#test/support/wait-for.js';

describe('LoRaWAN uplinks over the real broker', () => {
  let app: TestApp;
  let networkServer: MqttClient;

  before(async () => {
    app = await startTestApp();
    networkServer = await app.mqtt({ clientId: 'network-server' });
  });
  after(() => app.close());

  const publish = (topic: string, payload: Buffer | string) =>
    networkServer.publishAsync(topic, payload, { qos: 1 });
  const liveOf = async (containerId: string) =>
    (await app.request(`/api/v1/containers/${containerId}`)).body.live;

  it('decodes a ChirpStack v4 uplink with Cayenne LPP into the container live state', async () => {
    const at = Date.now() - 3000;
    await publish(
      CHIRPSTACK_TOPIC,
      toPayload(
        chirpstackUplink({
          fCnt: 7,
          at,
          values: [
            { channel: 1, type: 'temperature', value: -18.5 },
            { channel: 2, type: 'humidity', value: 62.5 },
            { channel: 3, type: 'gps', value: { lat: 45.6418, lon: -5.1135, altM: 210.5 } },
            { channel: 4, type: 'percentage', value: 87 },
            { channel: 5, type: 'accelerometer', value: { x: 0.3, y: -0.4, z: 1.2 } },
          ],
        }),
      ),
    );
    const live = await waitFor('ChirpStack reading in live state', async () => {
      const state = await liveOf(CHIRPSTACK.containerId);
      return state?.lastMeasuredAt === at ? state : undefined;
    });
    assert.equal(live.lastDeviceId, CHIRPSTACK.deviceId);
    const v = live.values;
    assert.deepEqual(v.temperatureC, { value: -18.5, measuredAt: at });
    assert.equal(v.humidityPct.value, 62.5);
    assert.equal(v.lat.value, 45.6418);
    assert.equal(v.lon.value, -5.1135);
    assert.equal(v.altM.value, 210.5);
    assert.equal(v.batteryPct.value, 87);
    assert.ok(Math.abs(v.shockG.value - Math.hypot(0.3, 0.4, 1.2)) < 1e-9, `shockG ${v.shockG.value}`);
    const from = new Date(at - 1).toISOString();
    // Stored by the telemetry thread, a moment after the live state moved.
    const stored = await waitFor('CHIRPSTACK reading stored', async () => {
      const { body } = await app.request(
        `/api/v1/containers/${CHIRPSTACK.containerId}/readings?from=${from}`,
      );
      return body.items.find((r: any) => r.measuredAt === at);
    });
    assert.equal(stored.source, 'chirpstack');
    assert.deepEqual(
      {
        fCnt: stored.quality.fCnt,
        gateways: stored.quality.gateways,
        rssi: stored.quality.rssi,
        snr: stored.quality.snr,
      },
      { fCnt: 7, gateways: 1, rssi: -36, snr: 10.5 },
    );
  });

  it('decodes a The Things Stack v3 uplink heard by two gateways', async () => {
    const at = Date.now() - 2000;
    await publish(
      TTS_TOPIC,
      toPayload(
        ttsUplink({
          fCnt: 12,
          at,
          values: [
            { channel: 1, type: 'temperature', value: 3.4 },
            { channel: 2, type: 'humidity', value: 80 },
            { channel: 7, type: 'voltage', value: 3.3 },
          ],
          gateways: [
            { id: 'gw-a', rssi: -112, snr: -7.5 },
            { id: 'gw-b', rssi: -97, snr: 2.25 },
          ],
        }),
      ),
    );
    const live = await waitFor('TTS reading in live state', async () => {
      const state = await liveOf(TTS.containerId);
      return state?.lastMeasuredAt === at ? state : undefined;
    });
    assert.equal(live.lastDeviceId, TTS.deviceId);
    assert.deepEqual(live.values.temperatureC, { value: 3.4, measuredAt: at });
    assert.equal(live.values.humidityPct.value, 80);
    // 3.3 V on the default 3.0–3.6 V curve.
    assert.equal(live.values.batteryPct.value, 50);
    const from = new Date(at - 1).toISOString();
    // Stored by the telemetry thread, a moment after the live state moved.
    const stored = await waitFor('TTS reading stored', async () => {
      const { body } = await app.request(`/api/v1/containers/${TTS.containerId}/readings?from=${from}`);
      return body.items.find((r: any) => r.measuredAt === at);
    });
    assert.equal(stored.source, 'tts');
    assert.deepEqual(
      {
        fCnt: stored.quality.fCnt,
        gateways: stored.quality.gateways,
        rssi: stored.quality.rssi,
        snr: stored.quality.snr,
      },
      { fCnt: 12, gateways: 2, rssi: -97, snr: 2.25 },
    );
  });

  it('rejects malformed envelopes and bad topics with a reason technicians can read', async () => {
    const bad = toPayload(chirpstackUplink({ fCnt: 1, at: Date.now(), values: temperatureFrame(4) }));
    const truncated = chirpstackUplink({ fCnt: 2, at: Date.now(), values: temperatureFrame(4) });
    truncated.data = Buffer.from([0x01, 0x67, 0x00]).toString('base64');
    const cases: {
      topic: string;
      payload: Buffer | string;
      reason: string;
      detail: RegExp;
      source: string;
    }[] = [
      {
        topic: CHIRPSTACK_TOPIC,
        payload: '{"deduplicationId":',
        reason: 'parse',
        detail: /JSON/i,
        source: 'chirpstack',
      },
      {
        topic: CHIRPSTACK_TOPIC,
        payload: bad.toString().replace('"fCnt":1', '"fCnt":"one"'),
        reason: 'schema',
        detail: /fCnt/,
        source: 'chirpstack',
      },
      {
        topic: CHIRPSTACK_TOPIC,
        payload: toPayload(truncated),
        reason: 'codec',
        detail: /data: truncated.*type 103.*offset 0/,
        source: 'chirpstack',
      },
      {
        topic: chirpstackUplinkTopic(CHIRPSTACK.applicationId, 'ffffffffffff0000'),
        payload: bad.toString().replace(CHIRPSTACK.devEui, 'ffffffffffff0000'),
        reason: 'unknown-device',
        detail: /ffffffffffff0000/,
        source: 'chirpstack',
      },
      {
        topic: 'application/app..1/device/70b3d57ed0000101/event/up',
        payload: bad,
        reason: 'topic',
        detail: /ChirpStack/,
        source: 'chirpstack',
      },
      {
        topic: TTS_TOPIC,
        payload: '{"end_device_ids":{}}',
        reason: 'schema',
        detail: /uplink_message/,
        source: 'tts',
      },
      {
        topic: 'v3/app1@t@x/devices/lora-rc-000102/up',
        payload: '{}',
        reason: 'topic',
        detail: /Things Stack/,
        source: 'tts',
      },
    ];
    const sample = (c: (typeof cases)[number]) =>
      `convoi_ingest_rejected_total{reason="${c.reason}",source="${c.source}"}`;
    const before = new Map<string, number>();
    for (const c of cases) before.set(sample(c), await metricValue(app, sample(c)));
    for (const c of cases) await publish(c.topic, c.payload);
    const expected = new Map<string, number>();
    for (const c of cases) expected.set(sample(c), (expected.get(sample(c)) ?? 0) + 1);
    await waitFor('rejection counters', async () => {
      for (const [s, n] of expected) if ((await metricValue(app, s)) !== before.get(s)! + n) return false;
      return true;
    });
    const { body } = await app.request('/api/v1/rejections?limit=50');
    for (const c of cases) {
      assert.ok(
        body.items.some((r: any) => r.reason === c.reason && r.topic === c.topic && c.detail.test(r.detail)),
        `a ${c.reason} rejection on ${c.topic} matching ${c.detail}: ${JSON.stringify(body.items.slice(0, 8))}`,
      );
    }
    const perDevice = await app.request(`/api/v1/devices/${CHIRPSTACK.deviceId}/rejections`);
    assert.ok(perDevice.body.items.some((r: any) => r.reason === 'codec'));
  });
});
