import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { deviceTelemetryTopic } from '#src/contracts/topics.js';
import { spawnConvoi, startConvoi } from '#test/support/child-app.js';
import { influxSkipReason } from '#test/support/influx/influx-availability.js';
import { startInfluxStack, type InfluxStack } from '#test/support/influx/influx-fixture.js';
import { startTestApp, type TestApp } from '#test/support/test-app.js';
import { waitFor } from '#test/support/wait-for.js';

const DEVICE = 'sensor-reefer-001';
const CONTAINER = 'REEFER-001';
const T0 = Date.UTC(2026, 10, 20, 6, 0, 0);

/** 300 readings, one a minute over 5 h, with a position every 10 min. */
function series(): Record<string, number>[] {
  return Array.from({ length: 300 }, (_, i) => ({
    ts: T0 + i * 60_000,
    seq: i,
    temperature: Math.round((3 + Math.sin(i / 17) * 2.5) * 10) / 10,
    humidity: 70 + (i % 20),
    battery: 100 - Math.floor(i / 30),
    ...(i % 10 === 0 && { lat: 45.6 + i / 1000, lon: 5.1 + i / 2000 }),
  }));
}

const influxEnv = (url: string): Record<string, string> => ({
  INFLUX_URL: url,
  INFLUX_BUCKET: 'telemetry/autogen',
  INFLUX_FLUSH_MS: '20',
  INFLUX_RETRY_MIN_MS: '100',
  INFLUX_RETRY_MAX_MS: '500',
});

describe('the pipeline into InfluxDB', { skip: influxSkipReason('influx-pipeline') }, () => {
  let stack: InfluxStack;
  let influxApp: TestApp;
  let embeddedApp: TestApp;
  let influxShipmentId = '';

  before(async () => {
    stack = await startInfluxStack();
    influxApp = await startTestApp({ env: influxEnv(stack.shim.url) });
    embeddedApp = await startTestApp();
    for (const app of [influxApp, embeddedApp]) {
      const shipment = await app.request('/api/v1/shipments', {
        method: 'POST',
        body: JSON.stringify({
          containerId: CONTAINER,
          originSiteId: 'DC-LYON-SQF',
          destinationSiteId: 'HM-PARIS-VILLIERS',
          profileId: 'chilled-4',
          plannedDeparture: new Date(T0).toISOString(),
          plannedArrival: new Date(T0 + 6 * 3_600_000).toISOString(),
        }),
      });
      assert.equal(shipment.status, 201, JSON.stringify(shipment.body));
      if (app === influxApp) influxShipmentId = shipment.body.id;
      const device = await app.mqtt({ clientId: DEVICE });
      await device.publishAsync(deviceTelemetryTopic(DEVICE), JSON.stringify(series()), { qos: 1 });
    }
    await waitFor(
      'all points in InfluxDB',
      async () => {
        const rows = await stack.influx.rows(
          'SELECT count(temperatureC) FROM telemetry WHERE container = $c',
          {
            c: CONTAINER,
          },
        );
        return rows[0]?.count === 300;
      },
      20_000,
    );
    // The embedded store's thread commits a moment after the PUBACK too.
    const all = `/api/v1/containers/${CONTAINER}/readings?from=${new Date(T0).toISOString()}&to=${new Date(T0 + 5 * 3_600_000).toISOString()}&limit=1000`;
    await waitFor('all points in the embedded store', async () => {
      const { body } = await embeddedApp.request(all);
      return body.items?.length === 300;
    });
  });
  after(async () => {
    await influxApp?.close();
    await embeddedApp?.close();
    await stack?.close();
  });

  it('writes readings published over MQTT with the schema of the README', async () => {
    const result = await stack.influx.query(
      // The time literal is the test's own constant; only the container is a bound parameter.
      `SELECT * FROM telemetry WHERE container = $c AND time = ${T0 + 10 * 60_000}ms GROUP BY *`,
      { c: CONTAINER },
    );
    const series0 = result.results[0].series?.[0];
    assert.ok(series0, 'the point exists');
    assert.deepEqual(series0.tags, {
      container: CONTAINER,
      device: DEVICE,
      profile: 'chilled-4',
      site: 'DC-LYON-SQF',
    });
    const row = Object.fromEntries(series0.columns.map((c, i) => [c, series0.values[0][i]]));
    assert.equal(row.time, T0 + 10 * 60_000);
    assert.equal(row.temperatureC, series()[10].temperature);
    assert.equal(row.humidityPct, 80);
    assert.equal(row.batteryPct, 100);
    assert.equal(row.lat, 45.61);
    assert.equal(row.source, 'json');
    assert.equal(row.shipmentId, influxShipmentId);
    assert.equal(row.late, true);
    assert.equal(typeof row.receivedAt, 'number');
  });

  for (const fn of ['mean', 'min', 'max', 'last'] as const) {
    for (const every of ['10m', '1h']) {
      it(`answers ${fn} every ${every} exactly as the embedded store`, async () => {
        const q = `/api/v1/containers/${CONTAINER}/readings?from=${new Date(T0).toISOString()}&to=${new Date(T0 + 5 * 3_600_000).toISOString()}&every=${every}&fn=${fn}`;
        const [fromInflux, fromEmbedded] = await Promise.all([influxApp.request(q), embeddedApp.request(q)]);
        assert.equal(fromInflux.status, 200);
        assert.equal(fromEmbedded.status, 200);
        const a = fromInflux.body.items as Record<string, number>[];
        const b = fromEmbedded.body.items as Record<string, number>[];
        assert.ok(a.length > 0);
        assert.equal(a.length, b.length);
        for (let i = 0; i < a.length; i++) {
          assert.deepEqual(Object.keys(a[i]).sort(), Object.keys(b[i]).sort(), `bucket ${i} fields`);
          for (const key of Object.keys(a[i])) {
            assert.ok(
              Math.abs(a[i][key] - b[i][key]) < 1e-9,
              `bucket ${i} ${key}: ${a[i][key]} vs ${b[i][key]}`,
            );
          }
        }
      });
    }
  }

  it('returns the same raw history from both stores', async () => {
    const q = `/api/v1/containers/${CONTAINER}/readings?from=${new Date(T0).toISOString()}&to=${new Date(T0 + 3_600_000).toISOString()}&limit=100`;
    const [a, b] = await Promise.all([influxApp.request(q), embeddedApp.request(q)]);
    const strip = (rows: Record<string, unknown>[]) =>
      rows.map(({ receivedAt: _r, shipmentId: _s, quality, ...rest }) => ({
        ...rest,
        lagMs: typeof (quality as { lagMs: number }).lagMs,
      }));
    assert.equal(a.body.items.length, 60);
    assert.deepEqual(strip(a.body.items), strip(b.body.items));
  });
});

describe('the InfluxDB outbox across SIGKILL', { skip: influxSkipReason('influx-pipeline') }, () => {
  let stack: InfluxStack;
  let child: ChildProcess | undefined;
  const dataDir = mkdtempSync(join(tmpdir(), 'convoi-outbox-kill-'));
  after(async () => {
    child?.kill('SIGKILL');
    await stack?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('replays what InfluxDB refused before the kill once the app is back', async () => {
    stack = await startInfluxStack();
    stack.proxy.set({ kind: 'status', status: 503 });
    const adminKey = `cv_${'k'.repeat(40)}`;
    const env = { CONVOI_ADMIN_KEY: adminKey, ...influxEnv(stack.proxy.url) };
    const first = await startConvoi({ dataDir, env });
    child = first.child;
    const { httpPort, mqttPort } = first;
    // Started again on the same ports: they were its own until the kill.
    const restart = () => spawnConvoi({ dataDir, httpPort, mqttPort, env });
    const outboxLines = async (): Promise<number | undefined> => {
      const res = await fetch(`http://127.0.0.1:${httpPort}/metrics`, {
        headers: { authorization: `Bearer ${adminKey}` },
      });
      const line = (await res.text()).split('\n').find((l) => l.startsWith('convoi_influx_outbox_lines '));
      return line === undefined ? undefined : Number(line.split(' ')[1]);
    };
    await waitFor('app up', () => outboxLines().then((n) => n !== undefined), 30_000, 100);

    const { default: mqtt } = await import('mqtt');
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, { clientId: DEVICE });
    await client.publishAsync(deviceTelemetryTopic(DEVICE), JSON.stringify(series()), { qos: 1 });
    await client.endAsync();
    await waitFor(
      'the refused batch in the outbox',
      async () => ((await outboxLines()) ?? 0) === 300,
      20_000,
      50,
    );

    child.kill('SIGKILL');
    await new Promise((resolve) => child!.once('exit', resolve));
    stack.proxy.set({ kind: 'pass' });
    child = restart();
    await waitFor(
      'the outbox replayed into InfluxDB',
      async () => {
        const rows = await stack.influx.rows(
          'SELECT count(temperatureC) FROM telemetry WHERE container = $c',
          {
            c: CONTAINER,
          },
        );
        return rows[0]?.count === 300 && (await outboxLines()) === 0;
      },
      30_000,
      100,
    );
  });
});
