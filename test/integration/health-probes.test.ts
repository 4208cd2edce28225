import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import type { MqttClient } from 'mqtt';
import { ManualClock } from '#src/common/clock.js';
import { deviceTelemetryTopic } from '#src/contracts/topics.js';
import { PIPELINE_STALL_MS } from '#src/http/readiness.service.js';
import { TELEMETRY_FILE } from '#src/telemetry/embedded/telemetry-database.js';
import { freePort } from '#test/support/free-port.js';
import {
  influxTestConfig,
  makeReading,
  openWriter,
  tempDataDir,
} from '#test/support/influx/influx-fixture.js';
import { startTestApp, type TestApp } from '#test/support/test-app.js';
import { waitFor } from '#test/support/wait-for.js';

const DEVICE = 'sensor-reefer-001';
const T0 = Date.UTC(2026, 10, 22, 8, 0, 0);

describe('health probes: /health/live, /health/ready, /health', () => {
  const clock = new ManualClock(T0);
  let app: TestApp;
  let device: MqttClient;
  const probe = (path: string) => app.request(path, { key: null });

  before(async () => {
    app = await startTestApp({ clock });
    device = await app.mqtt({ clientId: DEVICE });
  });
  after(async () => {
    await app?.close();
  });

  it('answers liveness and readiness without a key, naming every part of readiness', async () => {
    const live = await probe('/health/live');
    assert.deepEqual([live.status, live.body], [200, { status: 'up' }]);
    const ready = await probe('/health/ready');
    assert.equal(ready.status, 200, JSON.stringify(ready.body));
    assert.deepEqual(Object.keys(ready.body.checks), [
      'broker',
      'consumer',
      'pipeline',
      'sqlite',
      'timeseries',
    ]);
    assert.equal(ready.body.status, 'up');
    // /health keeps its answer for the clients that read it.
    const health = await probe('/health');
    assert.equal(health.status, 200);
    assert.deepEqual(Object.keys(health.body.checks), ['broker', 'consumer', 'sqlite', 'timeseries']);
    assert.match(health.body.checks.broker.detail, /^listening on \d+$/);
  });

  it('is not ready, naming the store and the stuck pipeline, while the store refuses readings; alive all along', async () => {
    const telemetry = new BetterSqlite3(join(app.dataDir, TELEMETRY_FILE));
    try {
      // A real SQLite refusal, as a full or read-only disk gives one.
      telemetry.exec(
        `CREATE TRIGGER refuse_readings BEFORE INSERT ON readings BEGIN SELECT RAISE(ABORT, 'disk refused'); END`,
      );
      await device.publishAsync(
        deviceTelemetryTopic(DEVICE),
        JSON.stringify({ ts: T0 + 60_000, temperature: 3.5 }),
        { qos: 1 },
      );
      const refused = await waitFor('readiness to fail on the store', async () => {
        const res = await probe('/health/ready');
        return res.status === 503 && res.body.checks.timeseries.status === 'down' && res;
      });
      assert.equal(refused.body.status, 'down');
      assert.match(refused.body.checks.timeseries.detail, /disk refused/);
      assert.equal(
        refused.body.checks.pipeline.status,
        'up',
        'a batch waiting a moment is not a stuck pipeline',
      );
      assert.match(refused.body.checks.pipeline.detail, /^1 messages in the pipeline/);

      clock.advance(PIPELINE_STALL_MS + 1000);
      const stuck = await probe('/health/ready');
      assert.equal(stuck.status, 503);
      assert.equal(stuck.body.checks.pipeline.status, 'down');
      assert.match(stuck.body.checks.pipeline.detail, /^1 messages in the pipeline, oldest for 31 s$/);
      assert.equal((await probe('/health/live')).status, 200, 'alive: restarting would not help');

      telemetry.exec('DROP TRIGGER refuse_readings');
      const recovered = await waitFor(
        'readiness to come back once the store writes',
        async () => {
          const res = await probe('/health/ready');
          return res.status === 200 && res;
        },
        10_000,
      );
      assert.equal(recovered.body.checks.pipeline.detail, undefined, 'the pipeline drained');
    } finally {
      telemetry.close();
    }
  });
});

describe('readiness of the InfluxDB writer', () => {
  const data = tempDataDir();
  after(() => data.remove());

  it('stays ready but degraded with a small outbox, and is not ready once it holds half its bound', async () => {
    // InfluxDB unreachable: nothing listens on the port, every write is refused and kept.
    const url = `http://127.0.0.1:${await freePort()}`;
    const h = await openWriter(influxTestConfig(url, data.dir, { INFLUX_OUTBOX_MAX_LINES: 1000 }));
    try {
      h.writer.write(Array.from({ length: 400 }, (_, i) => makeReading(i)));
      await h.writer.flush();
      assert.equal(h.writer.status().outboxLines, 400);
      assert.equal(h.writer.readiness().status, 'degraded');

      h.writer.write(Array.from({ length: 200 }, (_, i) => makeReading(400 + i)));
      await h.writer.flush();
      const ready = h.writer.readiness();
      assert.equal(ready.status, 'down');
      assert.match(ready.detail ?? '', /^InfluxDB outbox at 600 of 1000 lines/);
      assert.equal(h.writer.health().status, 'degraded', '/health keeps saying degraded');
    } finally {
      await h.shutdown();
    }
  });
});
