import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { deviceTelemetryTopic } from '#src/contracts/topics.js';
import { PostgresTelemetryWriter } from '#src/telemetry/postgres/postgres-telemetry.writer.js';
import { TelemetryWriter } from '#src/telemetry/telemetry.ports.js';
import { startPostgres, withClient, type PostgresServer } from '#test/support/postgres.js';
import { startTestApp, type TestApp } from '#test/support/test-app.js';
import { waitFor } from '#test/support/wait-for.js';

describe('history on PostgreSQL end to end (DATABASE_URL, no InfluxDB)', () => {
  let postgres: PostgresServer;
  let app: TestApp;
  let url = '';
  before(async () => {
    postgres = await startPostgres();
    url = await postgres.createDatabase();
    app = await startTestApp({ env: { DATABASE_URL: url } });
  });
  after(async () => {
    await app?.close();
    await postgres?.stop();
  });

  it('stores a reading published over MQTT in PostgreSQL and serves it as history over REST', async () => {
    assert.ok(app.running.app.get(TelemetryWriter) instanceof PostgresTelemetryWriter);
    const device = await app.mqtt({ clientId: 'sensor-pal-7001' });
    const ts = Date.now() - 1000;
    await device.publishAsync(
      deviceTelemetryTopic('sensor-pal-7001'),
      JSON.stringify({ ts, temperature: -21.5 }),
      {
        qos: 1,
      },
    );
    const items = await waitFor('the reading in history', async () => {
      const { body } = await app.request('/api/v1/containers/PAL-7001/readings');
      return body.items.length === 1
        ? (body.items as { measuredAt: number; temperatureC: number }[])
        : undefined;
    });
    assert.deepEqual(
      items.map((r) => [r.measuredAt, r.temperatureC]),
      [[ts, -21.5]],
    );
    const rows = await withClient(url, (c) =>
      c.query<{ measured_at: string; temperature_c: number }>(
        "SELECT measured_at, temperature_c FROM readings WHERE container_id = 'PAL-7001'",
      ),
    );
    assert.deepEqual(
      rows.rows.map((r) => [Number(r.measured_at), r.temperature_c]),
      [[ts, -21.5]],
    );
    const { body } = await app.request(
      `/api/v1/containers/PAL-7001/readings?every=1h&fn=mean&from=${new Date(ts - 60_000).toISOString()}`,
    );
    assert.equal(body.items.length, 1);
    assert.equal(body.items[0].temperatureC, -21.5);
  });
});
