import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { deviceTelemetryTopic } from '#src/contracts/topics.js';
import { freePort } from '#test/support/free-port.js';
import { startTestApp, type TestApp } from '#test/support/test-app.js';
import { waitFor } from '#test/support/wait-for.js';

const DEVICE = 'sensor-reefer-001';

/**
 * prom-client's default gauges `nodejs_active_{handles,requests,resources}_total` end in `_total`
 * without being counters; promtool says so, and the names are prom-client's, not ours to change.
 */
const NOT_OURS =
  /^convoi_process_nodejs_active_[a-z]+_total non-counter metrics should not have "_total" suffix$/;

/** `promtool check metrics` on a scrape: its problems, one a line. Fails loudly without promtool. */
function promtoolProblems(scrape: string): string[] {
  const run = spawnSync('promtool', ['check', 'metrics'], {
    input: scrape,
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (run.error !== undefined) {
    throw new Error(`promtool could not run (${run.error.message}): install Debian's prometheus package`);
  }
  // Exit 0: clean; 3: lint problems, listed on stderr; anything else: promtool itself failed.
  assert.ok(run.status === 0 || run.status === 3, `promtool exited ${run.status}: ${run.stderr}`);
  return `${run.stdout}\n${run.stderr}`
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

/** Both time-series adapters: each brings its own metric families. */
const STORES: { name: string; env: () => Promise<Record<string, string>> }[] = [
  { name: 'embedded store', env: () => Promise.resolve({}) },
  {
    // Nothing listens on the port: the writer's outbox and failure families fill up too.
    name: 'InfluxDB writer (InfluxDB unreachable)',
    env: async () => ({ INFLUX_URL: `http://127.0.0.1:${await freePort()}`, INFLUX_TOKEN: 'test-token' }),
  },
];

for (const store of STORES) {
  describe(`/metrics passes promtool check metrics, ${store.name}`, () => {
    let app: TestApp;

    before(async () => {
      app = await startTestApp({ env: await store.env() });
    });
    after(async () => {
      await app?.close();
    });

    it('after readings, a rejection, an alert and API traffic, with no problem but prom-client’s own gauges', async () => {
      // Traffic first, so every labelled family and histogram has samples to check.
      const device = await app.mqtt({ clientId: DEVICE });
      const topic = deviceTelemetryTopic(DEVICE);
      await device.publishAsync(topic, JSON.stringify({ ts: Date.now(), temperature: 3.2 }), { qos: 1 });
      await device.publishAsync(topic, JSON.stringify({ ts: Date.now(), temperature: 'warm' }), { qos: 1 });
      await device.publishAsync(topic, JSON.stringify({ ts: Date.now() + 1, temperature: 3.3, battery: 5 }), {
        qos: 1,
      });
      await waitFor('the battery alert', async () => {
        const res = await app.request('/api/v1/alerts');
        return res.status === 200 && (res.body.items as unknown[]).length > 0;
      });
      assert.equal((await app.request('/api/v1/containers')).status, 200);
      assert.equal((await app.request('/api/v1/devices', { key: 'cv_wrong' })).status, 401);

      const scrape = await app.request('/metrics');
      assert.equal(scrape.status, 200);
      const text = String(scrape.body);
      for (const family of [
        'convoi_ingest_rejected_total',
        'convoi_alert_changes_total',
        'convoi_broker_connections',
      ])
        assert.match(text, new RegExp(`^# TYPE ${family} `, 'm'), `${family} is in the scrape`);

      const problems = promtoolProblems(text);
      assert.ok(
        problems.some((p) => NOT_OURS.test(p)),
        `promtool ran on the scrape and named the known exception: ${problems.join('; ')}`,
      );
      assert.deepEqual(
        problems.filter((p) => !NOT_OURS.test(p)),
        [],
      );
    });
  });
}
