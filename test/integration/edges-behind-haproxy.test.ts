import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import mqtt, { type MqttClient } from 'mqtt';
import { deviceStatusTopic, deviceTelemetryTopic, TOPIC_FILTERS } from '#src/contracts/topics.js';
import { EdgeNodes, type EdgeNode } from '#test/support/edge-nodes.js';
import { HaproxyProcess, haproxyInstalled } from '#test/support/haproxy.js';
import { RedisServerProcess, redisServerInstalled } from '#test/support/redis-server.js';
import { waitFor } from '#test/support/wait-for.js';

/**
 * Two edges (child processes, each on its own data dir) sharing one Redis through
 * BROKER_REDIS_URL, behind one HAProxy TCP frontend (ARCHITECTURE.md §9): delivery and retained
 * messages cross edges. The loss of an edge: edges-failover.test.ts.
 */
describe(
  'edges behind a TCP load balancer, sharing a Redis',
  { skip: !redisServerInstalled() || !haproxyInstalled() },
  () => {
    const redis = new RedisServerProcess();
    let edges: EdgeNodes;
    let haproxy: HaproxyProcess;
    let a: EdgeNode;
    let b: EdgeNode;
    const clients: MqttClient[] = [];
    const direct = async (node: EdgeNode, clientId: string): Promise<MqttClient> => {
      const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${node.mqttPort}`, {
        clientId,
        reconnectPeriod: 0,
      });
      clients.push(client);
      return client;
    };

    before(async () => {
      await redis.start();
      edges = new EdgeNodes({
        BROKER_REDIS_URL: redis.url,
        // HAProxy's health checks and every test client come from 127.0.0.1.
        BROKER_BAN_EXEMPT: '127.0.0.1',
        BROKER_PUBLISH_RATE_PER_S: '100000',
        BROKER_PUBLISH_BURST: '100000',
      });
      [a, b] = await Promise.all([edges.start(), edges.start()]);
      haproxy = new HaproxyProcess([a.mqttPort, b.mqttPort]);
      await haproxy.start();
    });
    after(async () => {
      for (const client of clients) client.end(true);
      await haproxy?.dispose();
      await edges?.dispose();
      await redis.dispose();
    });

    it('delivers an alert raised on edge B to a subscriber of edge A', async () => {
      const subscriber = await direct(a, 'operator-console-a');
      const alerts: { containerId: string }[] = [];
      subscriber.on('message', (_topic, payload) => alerts.push(JSON.parse(payload.toString())));
      await subscriber.subscribeAsync(TOPIC_FILTERS.containerAlerts, { qos: 1 });

      const device = await direct(b, 'sensor-reefer-001');
      const reading = { ts: Date.now(), temperature: 3.3, battery: 5 };
      await device.publishAsync(deviceTelemetryTopic('sensor-reefer-001'), JSON.stringify(reading), {
        qos: 1,
      });

      const alert = await waitFor('the battery alert on edge A', () => alerts[0], 20_000);
      assert.equal(alert.containerId, 'REEFER-001');
    });

    it('delivers a status retained through edge A to a new subscriber of edge B', async () => {
      const topic = deviceStatusTopic('sensor-reefer-003');
      const publisher = await direct(a, 'sensor-reefer-003');
      await publisher.publishAsync(topic, JSON.stringify({ online: true }), { qos: 1, retain: true });

      const subscriber = await direct(b, 'operator-console-b');
      const received: { retain: boolean; payload: string }[] = [];
      subscriber.on('message', (_topic, payload, packet) =>
        received.push({ retain: packet.retain, payload: payload.toString() }),
      );
      await subscriber.subscribeAsync(topic, { qos: 1 });
      // The status is in Redis before A's PUBACK, so B sends it on SUBSCRIBE, flagged retained.
      // Its live copy, on its way to B through Redis pub/sub, may come in after the SUBSCRIBE
      // too (flagged not retained, MQTT-3.3.1-9): a second copy, not the one looked for here.
      const retained = () => received.find((message) => message.retain);
      const status = await waitFor('the retained status on edge B', retained, 10_000);
      assert.equal(status.payload, '{"online":true}');
    });
  },
);
