import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { deviceTelemetryTopic } from '#src/contracts/topics.js';
import { startTestApp, type TestApp } from '#test/support/test-app.js';
import { waitFor } from '#test/support/wait-for.js';
import type { MqttClient } from 'mqtt';

const DEVICE = 'sensor-reefer-001';
const CONTAINER = 'REEFER-001';

describe('native JSON ingestion over the real broker', () => {
  let app: TestApp;
  let device: MqttClient;

  before(async () => {
    app = await startTestApp();
    device = await app.mqtt({ clientId: DEVICE });
  });
  after(() => app.close());

  const publish = (payload: unknown, deviceId = DEVICE) =>
    device.publishAsync(
      deviceTelemetryTopic(deviceId),
      typeof payload === 'string' ? payload : JSON.stringify(payload),
      { qos: 1 },
    );

  const rejectionCount = async (reason: string): Promise<number> => {
    const { body } = await app.request('/metrics');
    const line = (body as string)
      .split('\n')
      .find((l) => l.startsWith(`convoi_ingest_rejected_total{reason="${reason}",source="json"}`));
    return line ? Number(line.split(' ').pop()) : 0;
  };

  it('shows a published reading in the container live state within a second', async () => {
    const ts = new Date().toISOString();
    await publish({ ts, temperature: 3.7, humidity: 81.5, lat: 45.64, lon: 5.11, battery: 97 });
    const live = await waitFor(
      'live state',
      async () => {
        const { body } = await app.request(`/api/v1/containers/${CONTAINER}`);
        return body.live?.values?.temperatureC?.value === 3.7 ? body.live : undefined;
      },
      1000,
    );
    assert.equal(live.lastDeviceId, DEVICE);
    assert.equal(live.lastMeasuredAt, Date.parse(ts));
    assert.deepEqual(live.values.humidityPct, { value: 81.5, measuredAt: Date.parse(ts) });
    assert.equal(live.values.batteryPct.value, 97);
  });

  it('rejects bad readings with their reason, counts them and still accepts a good one in between', async () => {
    const cases: { payload: unknown; reason: string; detail: RegExp; deviceId?: string }[] = [
      { payload: '{"temperature":4.5', reason: 'parse', detail: /not JSON/ },
      { payload: '', reason: 'parse', detail: /empty payload/ },
      {
        payload: { ts: new Date().toISOString(), temperature: '4.5' },
        reason: 'schema',
        detail: /temperature/,
      },
      { payload: { ts: new Date().toISOString(), temperature: 120 }, reason: 'range', detail: /temperature/ },
      { payload: { ts: new Date().toISOString() }, reason: 'empty', detail: /no measurement/ },
      {
        payload: { ts: new Date().toISOString(), temperature: 2 },
        reason: 'unknown-device',
        detail: /not registered/,
        deviceId: 'ghost-9',
      },
      { payload: { ts: 1700000000, temperature: 2 }, reason: 'schema', detail: /epoch seconds/ },
      {
        // A raw string: an object literal's __proto__ would set the prototype, not send the key.
        payload: `{"ts":"${new Date().toISOString()}","temperature":2,"__proto__":{"admin":true}}`,
        reason: 'schema',
        detail: /unknown field\(s\): __proto__/,
      },
    ];
    const before = new Map<string, number>();
    for (const c of cases) before.set(c.reason, await rejectionCount(c.reason));
    const goodTs = Date.now() + 1000;
    for (const [i, c] of cases.entries()) {
      await publish(typeof c.payload === 'string' ? c.payload : JSON.stringify(c.payload), c.deviceId);
      if (i === 3) await publish({ ts: goodTs, temperature: 2.2 });
    }
    await waitFor('good reading between bad ones', async () => {
      const { body } = await app.request(`/api/v1/containers/${CONTAINER}`);
      return body.live.values.temperatureC.measuredAt === goodTs;
    });
    const expected = new Map<string, number>();
    for (const c of cases) expected.set(c.reason, (expected.get(c.reason) ?? 0) + 1);
    await waitFor('rejection counters', async () => {
      for (const [reason, n] of expected)
        if ((await rejectionCount(reason)) !== before.get(reason)! + n) return false;
      return true;
    });
    const { body } = await app.request('/api/v1/rejections?limit=20');
    for (const c of cases) {
      assert.ok(
        body.items.some((r: any) => r.reason === c.reason && c.detail.test(r.detail)),
        `a ${c.reason} rejection matching ${c.detail}`,
      );
    }
    const ghost = await app.request('/api/v1/devices/ghost-9/rejections');
    assert.equal(ghost.body.items[0].reason, 'unknown-device');
    assert.equal(ghost.body.items[0].topic, 'v1/devices/ghost-9/telemetry');
  });

  it('stores a late reading without letting it replace newer live state', async () => {
    const now = Date.now();
    await publish({ ts: now + 2000, temperature: 4.1 });
    await waitFor('newer reading', async () => {
      const { body } = await app.request(`/api/v1/containers/${CONTAINER}`);
      return body.live.values.temperatureC.value === 4.1;
    });
    const lateTs = now - 10 * 60_000;
    await publish({ ts: lateTs, temperature: 9.9 });
    const from = new Date(lateTs - 1).toISOString();
    const stored = await waitFor('late reading stored', async () => {
      const { body } = await app.request(`/api/v1/containers/${CONTAINER}/readings?from=${from}&limit=10`);
      return body.items.find((r: any) => r.measuredAt === lateTs);
    });
    assert.equal(stored.temperatureC, 9.9);
    assert.equal(stored.quality.late, true);
    const { body } = await app.request(`/api/v1/containers/${CONTAINER}`);
    assert.equal(body.live.values.temperatureC.value, 4.1);
    assert.equal(body.live.lastMeasuredAt, now + 2000);
  });

  it('stores a batch array whole', async () => {
    const start = Date.UTC(2026, 0, 5, 6, 0, 0);
    const batch = Array.from({ length: 50 }, (_, i) => ({
      ts: start + i * 60_000,
      seq: 1000 + i,
      temperature: 2 + i / 100,
    }));
    await publish(batch);
    const q = `from=${new Date(start).toISOString()}&to=${new Date(start + 3_600_000).toISOString()}&limit=100`;
    const items = await waitFor('batch stored', async () => {
      const { body } = await app.request(`/api/v1/containers/${CONTAINER}/readings?${q}`);
      return body.items.length === 50 ? body.items : undefined;
    });
    assert.deepEqual(
      items.map((r: any) => r.temperatureC),
      batch.map((b) => b.temperature),
    );
  });

  it('answers history questions with problem+json on bad parameters', async () => {
    const res = await app.request(`/api/v1/containers/${CONTAINER}/readings?limit=999999&every=1ns`);
    assert.equal(res.status, 400);
    assert.match(res.headers.get('content-type') ?? '', /application\/problem\+json/);
    assert.ok(res.body.errors.some((e: string) => /limit/.test(e)));
    assert.ok(res.body.errors.some((e: string) => /every/.test(e)));
    const missing = await app.request('/api/v1/containers/NOPE-1');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.code, 'fleet.container-not-found');
  });
});
