// Cluster mode on one machine (ARCHITECTURE.md §9): one edge, two processors and one api node,
// each a convoi child process with its role (CONVOI_ROLES), sharing a real nats-server (the input
// log) and PostgreSQL (the leases and the time series). A fleet publishes QoS 1 through the edge;
// one processor is killed (SIGKILL) mid-stream. The survivor owns every partition within 10 s,
// and every reading the edge acknowledged is stored, each exactly once.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import mqtt, { type MqttClient } from 'mqtt';
import pg from 'pg';
import { deviceTelemetryTopic } from '#src/contracts/topics.js';
import { ClusterHarness } from '#test/support/cluster-harness.js';
import { EdgeNodes, type EdgeNode } from '#test/support/edge-nodes.js';
import { waitFor } from '#test/support/wait-for.js';
import { clusterContainerId, clusterDeviceId, writeClusterSeed } from '#test/support/cluster-fleet.js';

const PARTITIONS = 16;
const DEVICES = 24;
/** Readings each device sends, one after the other (each after the PUBACK of the one before). */
const PER_DEVICE = 60;
const TAKEOVER_MS = 10_000;

const deviceId = clusterDeviceId;
const containerId = clusterContainerId;

describe('cluster: edge, two processors and an api; a processor killed mid-stream', () => {
  let cluster: ClusterHarness;
  let admin: pg.Pool;
  let seedDir: string;
  let edge: EdgeNode;
  let api: EdgeNode;
  let processing: EdgeNodes;
  let processors: EdgeNode[];
  const clients: MqttClient[] = [];

  before(async () => {
    seedDir = mkdtempSync(join(tmpdir(), 'convoi-cluster-seed-'));
    cluster = await ClusterHarness.start({
      PARTITIONS: String(PARTITIONS),
      FLEET_SEED_FILE: writeClusterSeed(seedDir, DEVICES),
      BROKER_PUBLISH_RATE_PER_S: '100000',
      BROKER_PUBLISH_BURST: '100000',
    });
    admin = cluster.admin;
    // One at a time: the first start migrates the shared database.
    api = await cluster.role('api').start();
    edge = await cluster.role('edge').start();
    ({ group: processing, nodes: processors } = await cluster.startProcessors(2, PARTITIONS));
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.endAsync(true)));
    await cluster?.dispose();
    if (seedDir) rmSync(seedDir, { recursive: true, force: true });
  });

  it('stores every acknowledged reading once, and the survivor owns every partition within 10 s', async () => {
    const acknowledged = new Set<string>();
    const firstAt = Date.now() + 1000;
    const publishAll = async (d: number): Promise<void> => {
      const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${edge.mqttPort}`, {
        clientId: deviceId(d),
        clean: false,
        reconnectPeriod: 200,
      });
      clients.push(client);
      for (let i = 0; i < PER_DEVICE; i++) {
        // Unique per device, after the binding imported at start, within the future tolerance.
        const ts = firstAt + i;
        await client.publishAsync(
          deviceTelemetryTopic(deviceId(d)),
          JSON.stringify({ ts: new Date(ts).toISOString(), temperature: 3 + (i % 10) / 10 }),
          { qos: 1 },
        );
        acknowledged.add(`${deviceId(d)}|${ts}`);
      }
    };
    const fleet = Promise.all(Array.from({ length: DEVICES }, (_, d) => publishAll(d)));
    const total = DEVICES * PER_DEVICE;
    await waitFor('a third of the fleet acknowledged', () => acknowledged.size >= total / 3, 30_000);
    const before = await cluster.partitionHolders();
    await processing.kill(processors[0]);
    const killedAt = Date.now();
    const takenOver = await cluster.soleHolderAfter(PARTITIONS, killedAt, TAKEOVER_MS + 5000);
    await fleet;
    assert.equal(acknowledged.size, total);
    assert.ok(takenOver <= TAKEOVER_MS, `partitions owned again ${takenOver} ms after the kill`);
    assert.equal((await cluster.partitionHolders()).pids.size, 1);
    assert.ok(before.pids.size === 2);

    const stored = await waitFor(
      'every acknowledged reading stored',
      async () => {
        const { rows } = await admin.query<{ n: string }>(
          `SELECT count(*) AS n FROM readings WHERE device_id LIKE 'sensor-cl-%'`,
        );
        return Number(rows[0].n) >= total ? Number(rows[0].n) : undefined;
      },
      30_000,
      200,
    );
    assert.equal(stored, total, 'no reading stored twice');
    const { rows } = await admin.query<{ device_id: string; measured_at: string; container_id: string }>(
      `SELECT device_id, measured_at, container_id FROM readings WHERE device_id LIKE 'sensor-cl-%'`,
    );
    const found = new Set(rows.map((r) => `${r.device_id}|${r.measured_at}`));
    assert.deepEqual(
      [...acknowledged].filter((k) => !found.has(k)),
      [],
      'every acknowledged reading is stored',
    );
    assert.ok(rows.every((r) => r.container_id === containerId(Number(r.device_id.slice(-2)))));
    process.stdout.write(
      `# partitions owned again ${takenOver} ms after the kill; ${stored} readings stored\n`,
    );
  });

  it('serves REST from the api node only', async () => {
    const [onApi, onEdge] = await Promise.all(
      [api, edge].map((node) => fetch(`http://127.0.0.1:${node.httpPort}/api/v1/containers`)),
    );
    assert.equal(onApi.status, 401, 'the api node answers (asking for a key)');
    assert.equal(onEdge.status, 404);
  });
});
