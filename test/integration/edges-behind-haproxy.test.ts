import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import mqtt, { type MqttClient } from 'mqtt';
import { deviceStatusTopic, deviceTelemetryTopic, TOPIC_FILTERS } from '#src/contracts/topics.js';
import { EdgeNodes, type EdgeNode } from '#test/support/edge-nodes.js';
import { HaproxyProcess, haproxyInstalled } from '#test/support/haproxy.js';
import { RedisServerProcess, redisServerInstalled } from '#test/support/redis-server.js';
import { waitFor } from '#test/support/wait-for.js';

const TOTAL = 1500;

/**
 * Two edges (child processes, each on its own data dir) sharing one Redis through
 * BROKER_REDIS_URL, behind one HAProxy TCP frontend (ARCHITECTURE.md §9): delivery and retained
 * messages cross edges, and a device whose edge is killed (SIGKILL) reconnects through HAProxy to
 * the other one by itself, with nothing it had acknowledged lost.
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
      const retained: { retain: boolean; payload: string }[] = [];
      subscriber.on('message', (_topic, payload, packet) =>
        retained.push({ retain: packet.retain, payload: payload.toString() }),
      );
      await subscriber.subscribeAsync(topic, { qos: 1 });
      const first = await waitFor('the retained status on edge B', () => retained[0], 10_000);
      assert.deepEqual(first, { retain: true, payload: '{"online":true}' });
    });

    it('after a SIGKILL of edge A, its device goes on through HAProxy to B and nothing acknowledged is lost', async () => {
      const deviceId = 'sensor-reefer-002';
      // `balance first`: while A is up, HAProxy sends every connection to it.
      const device = mqtt.connect(`mqtt://127.0.0.1:${haproxy.port}`, {
        clientId: deviceId,
        clean: false,
        reconnectPeriod: 200,
        connectTimeout: 2000,
      });
      clients.push(device);
      let connects = 0;
      device.on('connect', () => connects++);
      // A persistent session subscribed through HAProxy, which must not subscribe again by itself.
      const watcher = mqtt.connect(`mqtt://127.0.0.1:${haproxy.port}`, {
        clientId: 'operator-console-lb',
        clean: false,
        resubscribe: false,
        reconnectPeriod: 200,
        connectTimeout: 2000,
      });
      clients.push(watcher);
      const sessionsPresent: boolean[] = [];
      watcher.on('connect', (connack) => sessionsPresent.push(connack.sessionPresent));
      const alerts: { containerId: string }[] = [];
      watcher.on('message', (_topic, payload) => alerts.push(JSON.parse(payload.toString())));
      await waitFor('both connected through HAProxy', () => device.connected && watcher.connected, 20_000);
      await watcher.subscribeAsync(TOPIC_FILTERS.containerAlerts, { qos: 1 });

      const t0 = Date.now();
      const acked = new Set<number>();
      for (let seq = 0; seq < TOTAL; seq++) {
        const payload = JSON.stringify({ ts: t0 + seq, temperature: 2 + (seq % 50) / 10 });
        device.publish(deviceTelemetryTopic(deviceId), payload, { qos: 1 }, (err) => {
          if (!err) acked.add(seq);
        });
      }
      await waitFor('a third of the stream acknowledged by A', () => acked.size >= TOTAL / 3, 20_000, 1);
      await edges.kill(a);
      const ackedAtKill = new Set(acked);
      assert.ok(ackedAtKill.size < TOTAL, 'killed mid-stream');

      await waitFor('every reading acknowledged, by B', () => acked.size === TOTAL, 60_000);
      assert.ok(connects >= 2, 'the device reconnected by itself');
      // The watcher's session (its subscription) is in Redis: B resumes it, and B's alerts reach it.
      await waitFor('the watcher back, on B', () => sessionsPresent.length >= 2 && watcher.connected, 20_000);
      assert.ok(sessionsPresent.slice(1).every(Boolean), 'the session survived the loss of edge A');
      const lowBattery = { ts: t0 + TOTAL, temperature: 3, battery: 5 };
      await device.publishAsync(deviceTelemetryTopic(deviceId), JSON.stringify(lowBattery), { qos: 1 });
      const alertOfB = () => alerts.some((alert) => alert.containerId === 'REEFER-002');
      await waitFor('the alert raised on B, to the resumed session', alertOfB, 20_000);
      device.end(true);

      // A's inbox holds what A acknowledged and had not stored yet: A started again on its data
      // dir stores it. Each edge has its own time series, so the readings are counted across both.
      await edges.restart(a);
      const stored = (): number[] => [
        ...edges.storedMeasuredAt(a, deviceId),
        ...edges.storedMeasuredAt(b, deviceId),
      ];
      await waitFor(
        'every acknowledged reading stored on A or B',
        () => new Set(stored()).size > TOTAL,
        60_000,
        100,
      );
      await Promise.all([edges.stop(a), edges.stop(b)]);

      const seqs = stored().map((measuredAt) => measuredAt - t0);
      const times = new Map<number, number>();
      for (const seq of seqs) times.set(seq, (times.get(seq) ?? 0) + 1);
      for (let seq = 0; seq <= TOTAL; seq++)
        assert.ok(times.has(seq), `acknowledged reading ${seq} was lost`);
      for (const seq of ackedAtKill)
        assert.equal(times.get(seq), 1, `reading ${seq}, acknowledged by A, stored once`);
      // A reading A had made durable but whose PUBACK the kill cut off is sent again by the device
      // (QoS 1: at least once) and stored by B as well; only those may be in both stores.
      const twice = [...times].filter(([, n]) => n > 1).map(([seq]) => seq);
      assert.ok(
        twice.every((seq) => !ackedAtKill.has(seq) && times.get(seq) === 2),
        `stored twice: ${twice.join(',')}`,
      );
      assert.equal(seqs.length, TOTAL + 1 + twice.length);
    });
  },
);
