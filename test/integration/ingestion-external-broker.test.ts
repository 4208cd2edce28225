// Two convoi nodes on one external broker (Debian's Mosquitto 2): each subscribes with the shared
// subscription `$share/convoi/<filter>`, so the broker hands every reading to one of them.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import mqtt from 'mqtt';
import { Metrics } from '#src/common/metrics.js';
import { deviceTelemetryTopic } from '#src/contracts/topics.js';
import { ConsumerStatus } from '#src/ingestion/transport/consumer-status.js';
import { MosquittoProcess, mosquittoInstalled } from '#test/support/mosquitto-process.js';
import { startTestApp, type TestApp } from '#test/support/test-app.js';
import { waitFor } from '#test/support/wait-for.js';

const DEVICES = ['sensor-reefer-001', 'sensor-reefer-002', 'sensor-pal-7001'];
const READINGS = 600;

const stored = async (app: TestApp): Promise<number> => {
  const metric = app.running.app
    .get(Metrics)
    .registry.getSingleMetric('convoi_telemetry_points_written_total');
  return (await metric?.get())?.values[0]?.value ?? 0;
};

describe(
  'ingestion from an external broker, shared by two convoi nodes',
  { skip: !mosquittoInstalled() },
  () => {
    const mosquitto = new MosquittoProcess();
    const nodes: TestApp[] = [];

    before(async () => {
      await mosquitto.start();
      for (const id of ['a', 'b']) {
        nodes.push(
          await startTestApp({
            env: { BROKER_EMBEDDED: 'false', MQTT_URL: mosquitto.url, MQTT_CLIENT_ID: `convoi-node-${id}` },
          }),
        );
      }
      await waitFor('both consumers connected', () =>
        nodes.every((n) => n.running.app.get(ConsumerStatus).state === 'connected'),
      );
    });
    after(async () => {
      for (const node of nodes) await node.close();
      await mosquitto.stop();
    });

    it('stores every reading once, on one node or the other', async () => {
      const publisher = await mqtt.connectAsync(mosquitto.url, { reconnectPeriod: 0 });
      try {
        const t0 = Date.now() - READINGS * 1000;
        for (let i = 0; i < READINGS; i++) {
          const payload = JSON.stringify({ ts: t0 + i * 1000, temperature: 3 + (i % 20) / 10 });
          await publisher.publishAsync(deviceTelemetryTopic(DEVICES[i % DEVICES.length]), payload, {
            qos: 1,
          });
        }
      } finally {
        await publisher.endAsync();
      }
      const total = async () => (await stored(nodes[0])) + (await stored(nodes[1]));
      await waitFor('every reading stored', async () => (await total()) >= READINGS, 30_000);
      // Stopping a node stores what it has taken: a duplicate delivered late would count now.
      for (const node of nodes) await node.running.stop();
      const perNode = [await stored(nodes[0]), await stored(nodes[1])];
      assert.equal(perNode[0] + perNode[1], READINGS, `stored per node: ${perNode.join(', ')}`);
      assert.ok(perNode[0] > 0 && perNode[1] > 0, `both nodes took a share: ${perNode.join(', ')}`);
    });
  },
);
