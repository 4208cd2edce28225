import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import mqtt, { type MqttClient } from 'mqtt';
import { deviceTelemetryTopic, TOPIC_FILTERS } from '#src/contracts/topics.js';
import { EdgeNodes, type EdgeNode } from '#test/support/edge-nodes.js';
import { HaproxyProcess, haproxyInstalled } from '#test/support/haproxy.js';
import { startPostgres, withClient, type PostgresServer } from '#test/support/postgres.js';
import { RedisServerProcess, redisServerInstalled } from '#test/support/redis-server.js';
import { waitFor } from '#test/support/wait-for.js';

const TOTAL = 1500;
const DEVICE = 'sensor-reefer-002';

/** Where the edges store readings, and how the test reads them back. */
interface ReadingStore {
  name: string;
  /** One store for both edges: a reading sent twice is kept once, by its key. */
  shared: boolean;
  open(): Promise<{
    env: Record<string, string>;
    measuredAt(edges: EdgeNodes, nodes: EdgeNode[]): Promise<number[]>;
    close(): Promise<void>;
  }>;
}

const STORES: ReadingStore[] = [
  {
    name: "each edge's own embedded time series",
    shared: false,
    open: () =>
      Promise.resolve({
        env: {},
        measuredAt: (edges, nodes) =>
          Promise.resolve(nodes.flatMap((node) => edges.storedMeasuredAt(node, DEVICE))),
        close: () => Promise.resolve(),
      }),
  },
  {
    name: 'one PostgreSQL shared by the edges (DATABASE_URL)',
    shared: true,
    open: async () => {
      const postgres: PostgresServer = await startPostgres();
      const url = await postgres.createDatabase();
      return {
        env: { DATABASE_URL: url },
        measuredAt: () =>
          withClient(url, async (client) => {
            const sql = 'SELECT measured_at FROM readings WHERE device_id = $1';
            const rows = await client.query<{ measured_at: string }>(sql, [DEVICE]);
            return rows.rows.map((row) => Number(row.measured_at));
          }),
        close: () => postgres.stop(),
      };
    },
  },
];

/**
 * The loss of an edge behind HAProxy (ARCHITECTURE.md §9): two edges on one Redis, a device and a
 * persistent subscriber connected through HAProxy to edge A, and A killed (SIGKILL) in the middle
 * of a QoS 1 stream. Both reconnect through HAProxy to B by themselves; the subscriber's session is
 * still there; every acknowledged reading is stored, once per store.
 */
for (const store of STORES) {
  describe(
    `an edge lost behind HAProxy, readings in ${store.name}`,
    { skip: !redisServerInstalled() || !haproxyInstalled() },
    () => {
      const redis = new RedisServerProcess();
      let readings: Awaited<ReturnType<ReadingStore['open']>>;
      let edges: EdgeNodes;
      let haproxy: HaproxyProcess;
      let a: EdgeNode;
      let b: EdgeNode;
      const clients: MqttClient[] = [];
      const throughHaproxy = (clientId: string, options: mqtt.IClientOptions = {}): MqttClient => {
        const url = `mqtt://127.0.0.1:${haproxy.port}`;
        const client = mqtt.connect(url, { clientId, clean: false, reconnectPeriod: 200, ...options });
        clients.push(client);
        return client;
      };

      before(async () => {
        await redis.start();
        readings = await store.open();
        edges = new EdgeNodes({
          ...readings.env,
          BROKER_REDIS_URL: redis.url,
          // HAProxy's health checks and every test client come from 127.0.0.1.
          BROKER_BAN_EXEMPT: '127.0.0.1',
          BROKER_PUBLISH_RATE_PER_S: '100000',
          BROKER_PUBLISH_BURST: '100000',
        });
        // One after the other: on a shared PostgreSQL the first runs the migrations.
        a = await edges.start();
        b = await edges.start();
        haproxy = new HaproxyProcess([a.mqttPort, b.mqttPort]);
        await haproxy.start();
      });
      after(async () => {
        for (const client of clients) client.end(true);
        await haproxy?.dispose();
        await edges?.dispose();
        await readings?.close();
        await redis.dispose();
      });

      it('the device and a persistent session go on through B; every acknowledged reading is stored', async (t) => {
        // `balance first`: while A is up, HAProxy sends every connection to it.
        const device = throughHaproxy(DEVICE);
        let connects = 0;
        device.on('connect', () => connects++);
        // A persistent session, which must not subscribe again by itself.
        const watcher = throughHaproxy('operator-console-lb', { resubscribe: false });
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
          device.publish(deviceTelemetryTopic(DEVICE), payload, { qos: 1 }, (err) => {
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
        await waitFor(
          'the watcher back, on B',
          () => sessionsPresent.length >= 2 && watcher.connected,
          20_000,
        );
        assert.ok(sessionsPresent.slice(1).every(Boolean), 'the session survived the loss of edge A');
        const lowBattery = { ts: t0 + TOTAL, temperature: 3, battery: 5 };
        await device.publishAsync(deviceTelemetryTopic(DEVICE), JSON.stringify(lowBattery), { qos: 1 });
        const alertOfB = () => alerts.some((alert) => alert.containerId === 'REEFER-002');
        await waitFor('the alert raised on B, to the resumed session', alertOfB, 20_000);
        device.end(true);

        // A's inbox holds what A acknowledged and had not stored yet: A started again on its data
        // dir stores it.
        await edges.restart(a);
        const seqs = async (): Promise<number[]> =>
          (await readings.measuredAt(edges, [a, b])).map((measuredAt) => measuredAt - t0);
        const everyOne = async () => new Set(await seqs()).size > TOTAL;
        await waitFor('every acknowledged reading stored', everyOne, 60_000, 100);
        await Promise.all([edges.stop(a), edges.stop(b)]);

        const stored = await seqs();
        const times = new Map<number, number>();
        for (const seq of stored) times.set(seq, (times.get(seq) ?? 0) + 1);
        for (let seq = 0; seq <= TOTAL; seq++)
          assert.ok(times.has(seq), `acknowledged reading ${seq} was lost`);
        for (const seq of ackedAtKill)
          assert.equal(times.get(seq), 1, `reading ${seq}, acknowledged by A, stored once`);
        // A reading A had made durable but whose PUBACK the kill cut off is sent again by the
        // device (QoS 1: at least once) and taken by B too: in both edges' own stores, once in a
        // shared one.
        const twice = [...times].filter(([, n]) => n > 1).map(([seq]) => seq);
        if (store.shared) assert.deepEqual(twice, [], 'each reading stored once');
        assert.ok(
          twice.every((seq) => !ackedAtKill.has(seq) && times.get(seq) === 2),
          `stored twice: ${twice.join(',')}`,
        );
        assert.equal(stored.length, TOTAL + 1 + twice.length);
        t.diagnostic(`${ackedAtKill.size} acknowledged by A before the kill; ${twice.length} stored twice`);
      });
    },
  );
}
