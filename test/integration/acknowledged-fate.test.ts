import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { deviceTelemetryTopic } from '#src/contracts/topics.js';
import { MEASUREMENT_KEYS } from '#src/contracts/reading.js';
import { influxSkipReason } from '#test/support/influx/influx-availability.js';
import { startInfluxStack, type InfluxStack } from '#test/support/influx/influx-fixture.js';
import { startTestApp, type TestApp } from '#test/support/test-app.js';
import { waitFor } from '#test/support/wait-for.js';
import {
  fateCases,
  MAIN_CONTAINER,
  MAIN_DEVICE,
  REBOOT_CONTAINER,
  REBOOT_DEVICE,
  type FateCase,
  type StoredValues,
} from './acknowledged-fate.cases.js';

/**
 * The rule of the issue "Tried as a new user would" §2: every message the broker acknowledged
 * ends up as stored readings, as rejections with a reason (counted in
 * `convoi_ingest_rejected_total` and listed at /rejections), or as true duplicates of a stored
 * reading. Every case of acknowledged-fate.cases.ts goes over real MQTT QoS 1 into the running
 * platform, then each acknowledged message is accounted for, against the embedded store and
 * against InfluxDB.
 */

type Row = StoredValues & { measuredAt: number };

/** What the test expects, summed over the cases: stored rows per container, rejections in order. */
function expectations(cases: readonly FateCase[]) {
  const stored = new Map<string, Row[]>([
    [MAIN_CONTAINER, []],
    [REBOOT_CONTAINER, []],
  ]);
  const rejections: { reason: string; detail: RegExp; device: string; name: string }[] = [];
  let duplicates = 0;
  for (const c of cases) {
    const device = c.device ?? MAIN_DEVICE;
    const container = device === REBOOT_DEVICE ? REBOOT_CONTAINER : MAIN_CONTAINER;
    for (const fate of c.fates) {
      if ('stored' in fate) stored.get(container)!.push(fate.stored);
      else if ('rejected' in fate)
        rejections.push({ reason: fate.rejected, detail: fate.detail, device, name: c.name });
      else duplicates++;
    }
  }
  for (const rows of stored.values()) rows.sort((a, b) => a.measuredAt - b.measuredAt);
  return { stored, rejections, duplicates };
}

async function metric(app: TestApp, prefix: string): Promise<number> {
  const { body } = await app.request('/metrics');
  const line = (body as string).split('\n').find((l) => l.startsWith(prefix));
  return line === undefined ? 0 : Number(line.split(' ').pop());
}

/** The history of a container over the cases' span, as rows of measured values. */
async function history(
  app: TestApp,
  container: string,
  now: number,
  span = { from: now - 3 * 3_600_000, to: now + 3_600_000 },
): Promise<Row[]> {
  const from = new Date(span.from).toISOString();
  const to = new Date(span.to).toISOString();
  const { status, body } = await app.request(
    `/api/v1/containers/${container}/readings?from=${from}&to=${to}&limit=1000`,
  );
  assert.equal(status, 200, JSON.stringify(body));
  return (body.items as Record<string, unknown>[]).map((item) => {
    const row: Record<string, unknown> = { measuredAt: item.measuredAt };
    for (const key of MEASUREMENT_KEYS) if (item[key] !== undefined) row[key] = item[key];
    return row as Row;
  });
}

/**
 * Publishes every case with QoS 1 (each publish resolves on its PUBACK), then checks that each
 * acknowledged message met its fate. Returns the stored rows, per container.
 */
async function publishAndAccount(app: TestApp, cases: readonly FateCase[], now: number) {
  const expected = expectations(cases);
  const reasons = [...new Set(expected.rejections.map((r) => r.reason))];
  const client = await app.mqtt({ clientId: MAIN_DEVICE });
  let acknowledged = 0;
  for (const c of cases) {
    await client.publishAsync(deviceTelemetryTopic(c.device ?? MAIN_DEVICE), c.payload, { qos: 1 });
    acknowledged++;
  }
  assert.equal(acknowledged, cases.length, 'every message acknowledged');

  const rejectedCounter = (reason: string) =>
    metric(app, `convoi_ingest_rejected_total{reason="${reason}",source="json"}`);
  // On a timeout the assertions below say what is missing.
  await waitFor(
    'every acknowledged message accounted for',
    async () => {
      for (const [container, rows] of expected.stored)
        if ((await history(app, container, now)).length < rows.length) return false;
      const { body } = await app.request('/api/v1/rejections?limit=1000');
      return body.items.length >= expected.rejections.length;
    },
    10_000,
  ).catch(() => undefined);

  // Rejected: listed in order with reason, detail and device, and counted by reason.
  const { body } = await app.request('/api/v1/rejections?limit=1000');
  const listed = (body.items as { reason: string; detail: string; deviceId?: string }[]).reverse();
  assert.equal(listed.length, expected.rejections.length, 'one rejection per refused message or reading');
  expected.rejections.forEach((want, i) => {
    const got = listed[i];
    assert.equal(got.reason, want.reason, `${want.name}: reason (${got.detail})`);
    assert.match(got.detail, want.detail, `${want.name}: detail`);
    assert.equal(got.deviceId, want.device, `${want.name}: device`);
  });
  for (const reason of reasons) {
    const n = expected.rejections.filter((r) => r.reason === reason).length;
    assert.equal(await rejectedCounter(reason), n, `convoi_ingest_rejected_total{reason="${reason}"}`);
  }

  // Stored: exactly the expected readings, nothing replaced, nothing more.
  const stored = new Map<string, Row[]>();
  for (const [container, rows] of expected.stored) {
    const got = await history(app, container, now);
    assert.deepEqual(got, rows, `history of ${container}`);
    stored.set(container, got);
  }

  // Duplicates: true repeats of a stored reading only; the rebooted device has none, one reset.
  assert.equal(await metric(app, 'convoi_ingest_duplicates_total{source="json"}'), expected.duplicates);
  const main = await app.request(`/api/v1/devices/${MAIN_DEVICE}/radio`);
  assert.equal(main.body.duplicates, expected.duplicates);
  const rebooted = await app.request(`/api/v1/devices/${REBOOT_DEVICE}/radio`);
  assert.equal(rebooted.body.duplicates, 0, 'a seq restart is not a repeat');
  assert.equal(rebooted.body.resets, 1, 'a seq restart counts as a reset');
  return stored;
}

describe('every acknowledged message is stored, refused with a reason or a true duplicate (embedded store)', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(() => app?.close());

  it('accounts for each hostile and ordinary message the broker acknowledged', async () => {
    const now = Date.now();
    await publishAndAccount(app, fateCases(now), now);
  });
});

describe(
  'every acknowledged message is stored, refused with a reason or a true duplicate (InfluxDB)',
  { skip: influxSkipReason('acknowledged-fate') },
  () => {
    let stack: InfluxStack;
    let influxApp: TestApp;
    let embeddedApp: TestApp;
    const influxEnv = () => ({
      INFLUX_URL: stack.shim.url,
      INFLUX_BUCKET: 'telemetry/autogen',
      INFLUX_FLUSH_MS: '20',
      INFLUX_RETRY_MIN_MS: '100',
      INFLUX_RETRY_MAX_MS: '500',
    });
    before(async () => {
      stack = await startInfluxStack();
      influxApp = await startTestApp({ env: influxEnv() });
      embeddedApp = await startTestApp();
    });
    after(async () => {
      await influxApp?.close();
      await embeddedApp?.close();
      await stack?.close();
    });

    it('accounts for each message, and both stores return the same rows', async () => {
      const now = Date.now();
      const cases = fateCases(now);
      const [fromInflux, fromEmbedded] = await Promise.all([
        publishAndAccount(influxApp, cases, now),
        publishAndAccount(embeddedApp, cases, now),
      ]);
      assert.deepEqual(fromInflux, fromEmbedded);
    });

    it('merges a conflict the dedupe memory forgot the same way in both stores', async () => {
      // A container's window holds its newest 8 keys: a batch of 20 other readings makes it
      // forget the first reading, so the conflicting one reaches both stores. InfluxDB merges the
      // two points field by field; the embedded store must return the same row, not the last one.
      const apps = [await startTestApp({ env: influxEnv() }), await startTestApp()];
      try {
        const t = Date.now() - 2 * 3_600_000;
        const filler = Array.from({ length: 20 }, (_, i) => ({ ts: t + 1000 * (i + 1), temperature: 4 }));
        const rowsAtT = await Promise.all(
          apps.map(async (app) => {
            const client = await app.mqtt({ clientId: MAIN_DEVICE });
            const topic = deviceTelemetryTopic(MAIN_DEVICE);
            await client.publishAsync(topic, JSON.stringify({ ts: t, temperature: -19.7, humidity: 50 }), {
              qos: 1,
            });
            await client.publishAsync(topic, JSON.stringify(filler), { qos: 1 });
            // Stored before the conflict is sent, so that no store could see the two out of order.
            await waitFor('the first reading stored', async () => {
              const [at] = await history(app, MAIN_CONTAINER, t, { from: t, to: t + 1 });
              return at?.temperatureC === -19.7;
            });
            await client.publishAsync(topic, JSON.stringify({ ts: t, temperature: 3.5, door: 'open' }), {
              qos: 1,
            });
            return waitFor(
              'the second reading merged',
              async () => {
                const [at] = await history(app, MAIN_CONTAINER, t, { from: t, to: t + 1 });
                return at?.doorOpen === true ? at : undefined;
              },
              10_000,
            );
          }),
        );
        assert.deepEqual(rowsAtT[0], { measuredAt: t, temperatureC: 3.5, humidityPct: 50, doorOpen: true });
        assert.deepEqual(rowsAtT[1], rowsAtT[0]);
      } finally {
        await Promise.all(apps.map((app) => app.close()));
      }
    });
  },
);
