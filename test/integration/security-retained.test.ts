// HOSTILE-INPUTS B10: retained messages are kept by the broker for ever, one per topic, so
// RETAIN is refused everywhere but a device's own status topic (online flag, Last Will).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Aedes } from 'aedes';
import { BrokerService } from '#src/broker/broker.service.js';
import { chirpstackUplinkTopic, deviceStatusTopic, deviceTelemetryTopic } from '#src/contracts/topics.js';
import { metricValue } from '#test/support/lorawan/lorawan-uplinks.js';
import { publishPacket, RawMqttConnection } from '#test/support/mqtt-raw.js';
import { startTestApp, type TestApp } from '#test/support/test-app.js';
import { waitFor } from '#test/support/wait-for.js';

const DEVICE = 'sensor-reefer-001';
const OTHER = 'sensor-pal-7001';
const FLOOD = 1000;
const REFUSED = 'convoi_broker_retained_refused_total';
const ACL = 'convoi_broker_rejected_total{reason="acl_publish"}';

interface RetainedPersistence {
  createRetainedStream(pattern: string): AsyncIterable<{ topic: string; payload: Buffer }>;
}

void describe('retained messages at the broker edge', () => {
  let app: TestApp;
  let port: number;
  const secrets: Record<string, string> = {};

  before(async () => {
    // The broker on the main thread: these tests read Aedes' retained store in-process.
    app = await startTestApp({ env: { BROKER_ALLOW_ANONYMOUS: 'false', BROKER_THREAD: 'false' } });
    port = app.running.app.get(BrokerService).port();
    for (const id of [DEVICE, OTHER]) {
      secrets[id] = (await app.request(`/api/v1/devices/${id}/credentials`, { method: 'POST' })).body.secret;
    }
    const cs = await app.request('/api/v1/admin/integrations', {
      method: 'POST',
      body: JSON.stringify({ name: 'chirpstack-flood', kind: 'chirpstack' }),
    });
    secrets['chirpstack-flood'] = cs.body.secret;
  });
  after(() => app.close());

  /** What the broker holds as retained messages (its own store, read in-process). */
  const retained = async (): Promise<Map<string, string>> => {
    const aedes = app.running.app.get(BrokerService).instance() as Aedes & {
      persistence: RetainedPersistence;
    };
    const out = new Map<string, string>();
    for await (const packet of aedes.persistence.createRetainedStream('#')) {
      out.set(packet.topic, packet.payload.toString());
    }
    return out;
  };
  const asDevice = (id: string, will?: { topic: string; payload: string; retain: boolean; qos?: number }) =>
    RawMqttConnection.connected(port, { clientId: id, username: id, password: secrets[id], will });
  const stored = async (containerId: string, temperatureC: number) =>
    (
      (await app.request(`/api/v1/containers/${containerId}/readings`)).body.items as {
        temperatureC?: number;
      }[]
    ).some((r) => r.temperatureC === temperatureC);

  void it("keeps a device's retained status and its retained Last Will `offline`", async () => {
    const status = deviceStatusTopic(DEVICE);
    const device = await asDevice(DEVICE, {
      topic: status,
      payload: '{"online":false}',
      retain: true,
      qos: 1,
    });
    await device.write(publishPacket(status, '{"online":true}', { retain: true }));
    await waitFor('retained online', async () => (await retained()).get(status) === '{"online":true}');
    device.destroy(); // no DISCONNECT: the broker publishes the Will [MQTT-3.1.2-8]
    await waitFor('retained Will', async () => (await retained()).get(status) === '{"online":false}');
  });

  void it('refuses a retained telemetry publish: connection closed, counted, reading not stored', async () => {
    const refusedBefore = await metricValue(app, REFUSED);
    const aclBefore = await metricValue(app, ACL);
    const device = await asDevice(DEVICE);
    const ts = new Date().toISOString();
    await device.write(
      publishPacket(deviceTelemetryTopic(DEVICE), JSON.stringify({ ts, temperature: 7.75 }), {
        retain: true,
      }),
    );
    assert.equal(await device.waitForClose(), true, 'the broker closes the connection');
    assert.equal(await metricValue(app, REFUSED), refusedBefore + 1);
    assert.equal(await metricValue(app, ACL), aclBefore + 1);
    // The same reading without RETAIN goes through, so the refusal was about the flag alone.
    const again = await asDevice(DEVICE);
    await again.write(
      publishPacket(deviceTelemetryTopic(DEVICE), JSON.stringify({ ts, temperature: 7.5 }), {
        qos: 1,
        packetId: 1,
      }),
    );
    await waitFor('plain reading stored', () => stored('REEFER-001', 7.5));
    assert.equal(await stored('REEFER-001', 7.75), false, 'the retained one was never ingested');
    assert.equal((await retained()).has(deviceTelemetryTopic(DEVICE)), false);
    again.destroy();
  });

  void it('drops a retained Last Will on a telemetry topic', async () => {
    const refusedBefore = await metricValue(app, REFUSED);
    const device = await asDevice(DEVICE, {
      topic: deviceTelemetryTopic(DEVICE),
      payload: JSON.stringify({ ts: new Date().toISOString(), temperature: 9.25 }),
      retain: true,
    });
    device.destroy();
    await waitFor('Will refused', async () => (await metricValue(app, REFUSED)) === refusedBefore + 1);
    assert.equal((await retained()).has(deviceTelemetryTopic(DEVICE)), false);
  });

  for (const flooder of [DEVICE, 'chirpstack-flood'] as const) {
    void it(`keeps memory bounded and serves others when ${flooder} floods ${FLOOD} distinct retained topics`, async () => {
      const topics = Array.from({ length: FLOOD }, (_, i) =>
        flooder === DEVICE
          ? i % 2 === 0
            ? deviceTelemetryTopic(DEVICE)
            : `${deviceStatusTopic(DEVICE)}/${i}`
          : chirpstackUplinkTopic('flood', (0x70b3d57e00000000n + BigInt(i)).toString(16)),
      );
      const retainedBefore = (await retained()).size;
      const rssBefore = process.memoryUsage().rss;
      const attacker = await asDevice(flooder);
      // 1 KiB each, all written at once: what a flood looks like on the wire.
      const payload = Buffer.alloc(1024, 0x41);
      await attacker.write(Buffer.concat(topics.map((t) => publishPacket(t, payload, { retain: true }))));
      assert.equal(await attacker.waitForClose(), true, 'the flooder is disconnected');
      const after = await retained();
      assert.equal(after.size, retainedBefore, 'no retained message was added');
      assert.ok(
        [...after.values()].every((p) => p !== payload.toString()),
        'no flood message retained, not even on a topic already holding one',
      );
      const growthMb = (process.memoryUsage().rss - rssBefore) / 2 ** 20;
      assert.ok(growthMb < 64, `RSS grew ${growthMb.toFixed(1)} MB`);
      // Another device keeps flowing.
      const other = await asDevice(OTHER);
      const temperature = flooder === DEVICE ? -20.25 : -20.5;
      await other.write(
        publishPacket(
          deviceTelemetryTopic(OTHER),
          JSON.stringify({ ts: new Date().toISOString(), temperature }),
          { qos: 1, packetId: 7 },
        ),
      );
      await waitFor('other device stored', () => stored('PAL-7001', temperature));
      other.destroy();
    });
  }
});
