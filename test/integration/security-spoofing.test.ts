// Spoofing (issue 10, HOSTILE-INPUTS D3) end to end with real credentials, no anonymous access:
// a native payload naming a device is refused as an unknown field; a LoRaWAN uplink whose
// payload identity differs from its topic is refused as `spoofed`; nothing of them is stored.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import mqtt, { type MqttClient } from 'mqtt';
import { deviceTelemetryTopic } from '#src/contracts/topics.js';
import { withFields } from '#src/ingestion/lorawan/lorawan.testing.js';
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

const A = { device: 'sensor-reefer-001', container: 'REEFER-001' };
const B = { device: 'sensor-pal-7001', container: 'PAL-7001' };

void describe('spoofed identities in payloads', () => {
  let app: TestApp;
  const clients: MqttClient[] = [];

  before(async () => {
    app = await startTestApp({ env: { BROKER_ALLOW_ANONYMOUS: 'false' } });
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.endAsync(true)));
    await app.close();
  });

  const connect = async (username: string, secret: string): Promise<MqttClient> => {
    const client = await mqtt.connectAsync(app.mqttUrl, {
      clientId: username,
      username,
      password: secret,
      reconnectPeriod: 0,
    });
    clients.push(client);
    return client;
  };
  const device = async (id: string) =>
    connect(id, (await app.request(`/api/v1/devices/${id}/credentials`, { method: 'POST' })).body.secret);
  const integration = async (name: string, kind: 'chirpstack' | 'tts') =>
    connect(
      name,
      (
        await app.request('/api/v1/admin/integrations', {
          method: 'POST',
          body: JSON.stringify({ name, kind }),
        })
      ).body.secret,
    );
  const temperatures = async (containerId: string): Promise<number[]> =>
    (
      (await app.request(`/api/v1/containers/${containerId}/readings`)).body.items as {
        temperatureC?: number;
      }[]
    ).map((r) => r.temperatureC ?? NaN);
  const rejected = (reason: string, source: string) =>
    metricValue(app, `convoi_ingest_rejected_total{reason="${reason}",source="${source}"}`);

  void it('refuses a native reading that names a device (`deviceId` is an unknown field)', async () => {
    const client = await device(A.device);
    const before = await rejected('schema', 'json');
    const ts = new Date().toISOString();
    await client.publishAsync(
      deviceTelemetryTopic(A.device),
      JSON.stringify({ ts, temperature: 11.5, deviceId: B.device }),
      { qos: 1 },
    );
    await client.publishAsync(deviceTelemetryTopic(A.device), JSON.stringify({ ts, temperature: 4.5 }), {
      qos: 1,
    });
    await waitFor('control reading stored', async () => (await temperatures(A.container)).includes(4.5));
    assert.equal(await rejected('schema', 'json'), before + 1);
    const log = await app.request(`/api/v1/devices/${A.device}/rejections`);
    assert.ok(
      (log.body.items as { reason: string; detail: string }[]).some(
        (r) => r.reason === 'schema' && /unknown field\(s\): deviceId/.test(r.detail),
      ),
      JSON.stringify(log.body),
    );
    assert.equal((await temperatures(A.container)).includes(11.5), false);
    assert.equal((await temperatures(B.container)).includes(11.5), false);
  });

  void it('refuses a ChirpStack uplink whose payload DevEUI differs from its topic as spoofed', async () => {
    const ns = await integration('chirpstack-eu', 'chirpstack');
    const before = await rejected('spoofed', 'chirpstack');
    const at = Date.now() - 2000;
    // Topic of device 0101, payload claiming the TTS device's EUI.
    const spoofed = withFields(
      chirpstackUplink({ fCnt: 40, at, values: temperatureFrame(12.5) }),
      { 'deviceInfo.devEui': TTS.devEui },
      true,
    );
    await ns.publishAsync(CHIRPSTACK_TOPIC, toPayload(spoofed), { qos: 1 });
    await ns.publishAsync(
      CHIRPSTACK_TOPIC,
      toPayload(chirpstackUplink({ fCnt: 41, at: at + 1000, values: temperatureFrame(2.5) })),
      { qos: 1 },
    );
    await waitFor('genuine uplink stored', async () =>
      (await temperatures(CHIRPSTACK.containerId)).includes(2.5),
    );
    assert.equal(await rejected('spoofed', 'chirpstack'), before + 1);
    assert.equal((await temperatures(CHIRPSTACK.containerId)).includes(12.5), false);
    assert.equal((await temperatures(TTS.containerId)).includes(12.5), false);
  });

  void it('refuses a TTS uplink whose end_device_ids differ from its topic as spoofed', async () => {
    const ns = await integration('tts-eu', 'tts');
    const before = await rejected('spoofed', 'tts');
    const at = Date.now() - 2000;
    const spoofed = withFields(
      ttsUplink({ fCnt: 50, at, values: temperatureFrame(13.5) }),
      { 'end_device_ids.device_id': CHIRPSTACK.deviceId },
      true,
    );
    await ns.publishAsync(TTS_TOPIC, toPayload(spoofed), { qos: 1 });
    await ns.publishAsync(
      TTS_TOPIC,
      toPayload(ttsUplink({ fCnt: 51, at: at + 1000, values: temperatureFrame(3.5) })),
      {
        qos: 1,
      },
    );
    await waitFor('genuine uplink stored', async () => (await temperatures(TTS.containerId)).includes(3.5));
    assert.equal(await rejected('spoofed', 'tts'), before + 1);
    assert.equal((await temperatures(TTS.containerId)).includes(13.5), false);
    assert.equal((await temperatures(CHIRPSTACK.containerId)).includes(13.5), false);
  });
});
