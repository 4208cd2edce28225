// An integration's topicRoot limits which LoRaWAN devices it can speak for: a device names its
// network-server application (`lorawanApplication`), and an uplink for it from another
// application's integration is refused as `wrong-application`, counted and listed, never stored.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import mqtt, { type MqttClient } from 'mqtt';
import { chirpstackUplinkTopic } from '#src/contracts/topics.js';
import { withFields } from '#src/ingestion/lorawan/lorawan.testing.js';
import {
  chirpstackUplink,
  metricValue,
  temperatureFrame,
  toPayload,
} from '#test/support/lorawan/lorawan-uplinks.js';
import { startTestApp, type TestApp } from '#test/support/test-app.js';
import { waitFor } from '#test/support/wait-for.js';

const DEVICE = { id: 'lora-scoped-1', devEui: '70b3d57ed00009a1', container: 'RC-SCOPE-1' };

describe('LoRaWAN devices scoped to their network-server application', () => {
  let app: TestApp;
  const clients: MqttClient[] = [];

  before(async () => {
    app = await startTestApp({ env: { BROKER_ALLOW_ANONYMOUS: 'false' } });
    const created = [
      await app.request('/api/v1/containers', {
        method: 'POST',
        body: JSON.stringify({ id: DEVICE.container, kind: 'reefer', label: 'scope test' }),
      }),
      await app.request('/api/v1/devices', {
        method: 'POST',
        body: JSON.stringify({
          id: DEVICE.id,
          devEui: DEVICE.devEui,
          format: 'chirpstack',
          lorawanApplication: 'app-a',
        }),
      }),
      await app.request(`/api/v1/devices/${DEVICE.id}/bind`, {
        method: 'POST',
        body: JSON.stringify({
          containerId: DEVICE.container,
          at: new Date(Date.now() - 60_000).toISOString(),
        }),
      }),
    ];
    for (const { status, body } of created) assert.ok(status < 300, JSON.stringify(body));
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.endAsync(true)));
    await app.close();
  });

  /** A ChirpStack integration confined to `application/{application}`, connected. */
  const integration = async (name: string, application: string): Promise<MqttClient> => {
    const { body } = await app.request('/api/v1/admin/integrations', {
      method: 'POST',
      body: JSON.stringify({ name, kind: 'chirpstack', topicRoot: `application/${application}` }),
    });
    const client = await mqtt.connectAsync(app.mqttUrl, {
      clientId: name,
      username: name,
      password: body.secret,
      reconnectPeriod: 0,
    });
    clients.push(client);
    return client;
  };
  const uplink = (application: string, fCnt: number, temperatureC: number) =>
    toPayload(
      withFields(
        chirpstackUplink({ fCnt, at: Date.now() - 1000, values: temperatureFrame(temperatureC) }),
        { 'deviceInfo.devEui': DEVICE.devEui, 'deviceInfo.applicationId': application },
        true,
      ),
    );
  const temperatures = async (): Promise<number[]> =>
    (
      (await app.request(`/api/v1/containers/${DEVICE.container}/readings`)).body.items as {
        temperatureC?: number;
      }[]
    ).map((r) => r.temperatureC ?? NaN);

  it('refuses an uplink from another application’s integration and stores its own', async () => {
    const own = await integration('cs-app-a', 'app-a');
    const other = await integration('cs-app-b', 'app-b');
    const sample = 'convoi_ingest_rejected_total{reason="wrong-application",source="chirpstack"}';
    const before = await metricValue(app, sample);

    // The integration of app-b may publish in its own tree, and names the device there.
    await other.publishAsync(chirpstackUplinkTopic('app-b', DEVICE.devEui), uplink('app-b', 1, 31.5), {
      qos: 1,
    });
    await own.publishAsync(chirpstackUplinkTopic('app-a', DEVICE.devEui), uplink('app-a', 2, 3.5), {
      qos: 1,
    });

    await waitFor('the own application’s reading stored', async () => (await temperatures()).includes(3.5));
    assert.equal(await metricValue(app, sample), before + 1);
    assert.equal(
      (await temperatures()).includes(31.5),
      false,
      'the other application’s reading is not stored',
    );
    const log = await app.request(`/api/v1/devices/${DEVICE.id}/rejections`);
    assert.ok(
      (log.body.items as { reason: string; detail: string }[]).some(
        (r) => r.reason === 'wrong-application' && /belongs to application app-a, not app-b/.test(r.detail),
      ),
      JSON.stringify(log.body),
    );
  });

  it('shows the application on the device and refuses one that is no application id', async () => {
    const { body } = await app.request(`/api/v1/devices/${DEVICE.id}`);
    assert.equal(body.lorawanApplication, 'app-a');
    const invalid = await app.request(`/api/v1/devices/${DEVICE.id}`, {
      method: 'PATCH',
      body: JSON.stringify({ lorawanApplication: 'app/a' }),
      headers: { 'if-match': '*' },
    });
    assert.equal(invalid.status, 400, JSON.stringify(invalid.body));
  });
});
