import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { deviceTelemetryTopic } from '#src/contracts/topics.js';
import { SINGLETON_JOBS } from '#src/leases/singleton-jobs.js';
import { TelemetryWriter } from '#src/telemetry/telemetry.ports.js';
import { startConvoi } from '#test/support/child-app.js';
import { influxSkipReason } from '#test/support/influx/influx-availability.js';
import { makeReading, startInfluxStack, type InfluxStack } from '#test/support/influx/influx-fixture.js';
import { startPostgres, type PostgresServer } from '#test/support/postgres.js';
import { startTestApp, type TestApp } from '#test/support/test-app.js';
import { waitFor } from '#test/support/wait-for.js';

const FROM_A = 200;
const FROM_B = 100;

/** The value of a metric line in a node's /metrics, 0 when absent. */
async function metric(node: TestApp, line: string): Promise<number> {
  const res = await node.request('/metrics');
  if (typeof res.body !== 'string')
    throw new Error(`GET /metrics: ${res.status} ${JSON.stringify(res.body)}`);
  const found = res.body.split('\n').find((l) => l.startsWith(`${line} `));
  return found === undefined ? 0 : Number(found.slice(line.length + 1));
}

const replays = (node: TestApp) =>
  metric(node, `convoi_singleton_held{job="${SINGLETON_JOBS.influxOutboxReplay}"}`);
const failed = (node: TestApp) => metric(node, 'convoi_influx_write_failures_total{reason="http_503"}');
const written = (node: TestApp) => metric(node, 'convoi_influx_points_written_total');
const outboxLines = (node: TestApp) => metric(node, 'convoi_influx_outbox_lines');

async function countIn(stack: InfluxStack, container: string): Promise<number> {
  const rows = await stack.influx.rows('SELECT count("temperatureC") FROM telemetry WHERE container = $c', {
    c: container,
  });
  return rows.length === 0 ? 0 : Number(rows[0].count);
}

/** Writes `n` readings of `container` through the node's own writer and waits until each batch is sent or queued. */
async function writeThrough(node: TestApp, container: string, n: number): Promise<void> {
  const writer = node.running.app.get(TelemetryWriter);
  writer.write(Array.from({ length: n }, (_, i) => makeReading(i, { containerId: container })));
  await writer.flush();
}

describe(
  'the InfluxDB outbox in PostgreSQL, replayed by the holder of its lease',
  { skip: influxSkipReason('influx-outbox-lease') },
  () => {
    let stack: InfluxStack;
    let postgres: PostgresServer;
    const open = new Set<TestApp>();
    let child: ChildProcess | undefined;
    const childData = mkdtempSync(join(tmpdir(), 'convoi-outbox-lease-'));

    before(async () => {
      stack = await startInfluxStack();
      postgres = await startPostgres();
    });
    after(async () => {
      child?.kill('SIGKILL');
      rmSync(childData, { recursive: true, force: true });
      for (const node of open) await node.close();
      await postgres?.stop();
      await stack?.close();
    });

    const influxEnv = (url: string) => ({
      INFLUX_URL: url,
      INFLUX_BUCKET: 'telemetry/autogen',
      INFLUX_FLUSH_MS: '20',
      INFLUX_RETRY_MIN_MS: '100',
      INFLUX_RETRY_MAX_MS: '300',
    });

    it('sends the lines of a node killed with SIGKILL from the node that takes the lease over', async () => {
      const adminKey = `cv_test_${randomBytes(32).toString('base64url')}`;
      const env = {
        DATABASE_URL: await postgres.createDatabase(),
        CONVOI_ADMIN_KEY: adminKey,
        ...influxEnv(stack.proxy.url),
      };
      stack.proxy.set({ kind: 'status', status: 503 });
      // The first node, a process of its own, holds the lease; the second starts after it.
      const first = await startConvoi({ dataDir: childData, env });
      child = first.child;
      const survivor = await startTestApp({ env });
      open.add(survivor);
      const childLines = async (): Promise<number> => {
        const res = await fetch(`http://127.0.0.1:${first.httpPort}/metrics`, {
          headers: { authorization: `Bearer ${adminKey}` },
        });
        const line = (await res.text()).split('\n').find((l) => l.startsWith('convoi_influx_outbox_lines '));
        return line === undefined ? 0 : Number(line.split(' ')[1]);
      };
      assert.equal(await replays(survivor), 0, 'the process started first holds the lease');
      const { default: mqtt } = await import('mqtt');
      const device = await mqtt.connectAsync(`mqtt://127.0.0.1:${first.mqttPort}`, {
        clientId: 'sensor-reefer-001',
      });
      const t0 = Date.UTC(2026, 10, 20, 6, 0, 0);
      const readings = Array.from({ length: 120 }, (_, i) => ({
        ts: t0 + i * 60_000,
        temperature: 3 + (i % 7) / 10,
      }));
      await device.publishAsync(deviceTelemetryTopic('sensor-reefer-001'), JSON.stringify(readings), {
        qos: 1,
      });
      await device.endAsync();
      await waitFor(
        'the refused lines in the outbox',
        async () => (await childLines()) === readings.length,
        20_000,
      );

      child.kill('SIGKILL');
      await new Promise((resolve) => child!.once('exit', resolve));
      child = undefined;
      await waitFor('the survivor to hold the lease', async () => (await replays(survivor)) === 1, 10_000);
      stack.proxy.set({ kind: 'pass' });
      await waitFor(
        "the killed node's lines in InfluxDB, the outbox empty",
        async () =>
          (await countIn(stack, 'REEFER-001')) === readings.length && (await outboxLines(survivor)) === 0,
        20_000,
      );
      assert.equal(await written(survivor), readings.length, 'each line sent once');
    });

    it('sends the lines a stopped node queued from another node, each once, and only the holder replays', async () => {
      const env = {
        DATABASE_URL: await postgres.createDatabase(),
        CONVOI_ADMIN_KEY: `cv_test_${randomBytes(32).toString('base64url')}`,
        INFLUX_URL: stack.proxy.url,
        INFLUX_BUCKET: 'telemetry/autogen',
        INFLUX_FLUSH_MS: '20',
        INFLUX_RETRY_MIN_MS: '100',
        INFLUX_RETRY_MAX_MS: '300',
      };
      stack.proxy.set({ kind: 'status', status: 503 });
      const a = await startTestApp({ env });
      open.add(a);
      const b = await startTestApp({ env });
      open.add(b);
      assert.deepEqual(
        [await replays(a), await replays(b)],
        [1, 0],
        'the first node started holds the lease',
      );

      await writeThrough(a, 'C-LEASE-A', FROM_A);
      await writeThrough(b, 'C-LEASE-B', FROM_B);
      // One queue: each node counts the other's rows at its next count of the outbox.
      await waitFor(
        'both nodes to count both nodes lines',
        async () => (await outboxLines(a)) === FROM_A + FROM_B && (await outboxLines(b)) === FROM_A + FROM_B,
        10_000,
      );
      // InfluxDB still answers 503: the holder probes with the head group (all 300 lines) after
      // each backoff, the other node never replays (its failures stay those of its own batch).
      await waitFor(
        'two probes by the holder',
        async () => (await failed(a)) >= FROM_A + 2 * (FROM_A + FROM_B),
        10_000,
      );
      assert.equal(await failed(b), FROM_B, 'the node without the lease sent no replay');

      // A stops for good (its lines are all in PostgreSQL already); its lease goes to B.
      await a.close();
      open.delete(a);
      await waitFor('B to hold the lease', async () => (await replays(b)) === 1, 10_000);
      stack.proxy.set({ kind: 'pass' });
      await waitFor(
        "A's and B's lines in InfluxDB, the outbox empty",
        async () =>
          (await countIn(stack, 'C-LEASE-A')) === FROM_A &&
          (await countIn(stack, 'C-LEASE-B')) === FROM_B &&
          (await outboxLines(b)) === 0,
        20_000,
      );
      assert.equal(await written(b), FROM_A + FROM_B, "B replayed A's lines and its own, each once");
      const status = (await b.request('/api/v1/admin/outbox')).body as { outbox: { state: string } };
      assert.equal(status.outbox.state, 'up');
    });
  },
);
