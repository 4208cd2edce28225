import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { MqttClient } from 'mqtt';
import { ManualClock } from '#src/common/clock.js';
import { deviceTelemetryTopic } from '#src/contracts/topics.js';
import { startAppOnStore, type AppOnStore } from '#test/support/app-on-store.js';
import { STORE_DIALECTS } from '#test/support/store-dialects.js';
import type { TestApp } from '#test/support/test-app.js';
import { waitFor } from '#test/support/wait-for.js';

const DEVICE = 'sensor-reefer-002';
const CONTAINER = 'REEFER-002';
const T0 = Date.UTC(2026, 10, 22, 8, 0, 0);
const minute = (m: number): number => T0 + 60_000 + m * 60_000;
const iso = (m: number) => new Date(minute(m)).toISOString();
const SHOCK = { lat: 48.7, lon: 2.45 };

/**
 * The known series: one reading a minute (the shipment's expected interval), minutes 0–11 and
 * 32–43 (a 21 min gap), +4 °C except +20 °C at minute 36; a 12 g shock with a position at 40.
 * 23 × 4 °C + 1 × 20 °C equally weighted: MKT 5.768 °C (issue 7's hand-computed value).
 */
const SERIES = [...Array(12).keys(), ...Array.from({ length: 12 }, (_, i) => 32 + i)];

// On each operational store: the confirmed dispositions live in SQLite or in PostgreSQL (DATABASE_URL).
for (const dialect of STORE_DIALECTS)
  describe(`journey record: compliance record of a known series, disposition, roles (${dialect})`, () => {
    const clock = new ManualClock(T0);
    let app: TestApp;
    let store: AppOnStore | undefined;
    let device: MqttClient;
    let id: string;
    const keys: Record<'viewer' | 'planner', string> = { viewer: '', planner: '' };

    before(async () => {
      store = await startAppOnStore(dialect, { clock });
      app = store.app;
      for (const role of ['viewer', 'planner'] as const) {
        const res = await app.request('/api/v1/keys', {
          method: 'POST',
          body: JSON.stringify({ name: role, role }),
        });
        keys[role] = res.body.key as string;
      }
      const created = await app.request('/api/v1/shipments', {
        method: 'POST',
        key: keys.planner,
        body: JSON.stringify({
          containerId: CONTAINER,
          originSiteId: 'DC-PARIS-RUNGIS',
          destinationSiteId: 'HM-PARIS-VILLIERS',
          profileId: 'chilled-4',
          overrides: { expectedIntervalS: 60 },
          carrier: 'Frigo Express',
          plannedDeparture: iso(0),
          plannedArrival: iso(60),
        }),
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      id = created.body.id as string;
      device = await app.mqtt({ clientId: DEVICE });
    });
    after(() => store?.close());

    const status = (to: string, m: number) =>
      app.request(`/api/v1/shipments/${id}/status`, {
        method: 'POST',
        key: keys.planner,
        body: JSON.stringify({ status: to, at: iso(m) }),
      });
    const decide = (key: string | null, decision = 'reject') =>
      app.request(`/api/v1/shipments/${id}/record/disposition`, {
        method: 'POST',
        key,
        body: JSON.stringify({ decision, reason: 'probe temperature 9 °C at the dock' }),
      });

    it('a planner cannot decide a disposition before the arrival (409)', async () => {
      assert.equal((await status('in_transit', 0)).status, 200);
      assert.equal((await decide(keys.planner)).status, 409);
    });

    it('computes the record’s figures from the stored series', async () => {
      for (const m of SERIES) {
        clock.set(minute(m));
        const reading = {
          ts: minute(m),
          temperature: m === 36 ? 20 : 4,
          ...(m === 40 && { shock: 12, ...SHOCK }),
        };
        await device.publishAsync(deviceTelemetryTopic(DEVICE), JSON.stringify(reading), { qos: 1 });
        await waitFor(`minute ${m}`, async () => {
          const { body } = await app.request(`/api/v1/containers/${CONTAINER}`);
          return body.live?.lastMeasuredAt === minute(m);
        });
      }
      // Live state shows a reading before the store thread has committed it: the record reads the store.
      const stored = `/api/v1/containers/${CONTAINER}/readings?from=${iso(0)}&to=${iso(44)}&limit=100`;
      await waitFor('every reading stored', async () => {
        const { body } = await app.request(stored);
        return (body.items as unknown[] | undefined)?.length === SERIES.length;
      });
      assert.equal((await status('arrived', 43)).status, 200);
      const { status: code, body: r } = await app.request(`/api/v1/shipments/${id}/record`, {
        key: keys.viewer,
      });
      assert.equal(code, 200, JSON.stringify(r));
      assert.deepEqual(r.period, { from: iso(0), to: iso(43) });
      assert.equal(r.temperature.readings, 24);
      assert.equal(r.temperature.mktC, 5.768);
      assert.equal(r.temperature.meanC, 4.667);
      assert.deepEqual([r.temperature.minC, r.temperature.maxC], [4, 20]);
      assert.deepEqual(r.outOfRange.excursions, [
        { direction: 'above', start: iso(36), end: iso(37), peakC: 20, durationMin: 1, ongoing: false },
      ]);
      assert.equal(r.outOfRange.cumulativeMin, 1);
      assert.deepEqual(r.offlineGaps, [{ start: iso(11), end: iso(32), durationMin: 21 }]);
      assert.deepEqual(r.completeness, { expectedReadings: 44, receivedReadings: 24, pct: 54.5 });
      assert.deepEqual(r.shocks, [
        {
          peakG: 12,
          at: iso(40),
          ...SHOCK,
          positionAt: iso(40),
          legId: `${id}-leg-1`,
          siteId: null,
          carrier: 'Frigo Express',
        },
      ]);
      assert.equal(r.disposition.decision, 'inspect');
      assert.equal(r.disposition.computed, 'inspect');
      assert.equal(r.disposition.confirmed, null);
      assert.deepEqual(
        r.disposition.reasons.map((x: { code: string }) => x.code),
        ['excursion-within-tolerance', 'mkt-above-limit', 'shock-over-limit', 'completeness-low'],
      );
    });

    it('serves the temperature series as CSV and a printable HTML page', async () => {
      const csv = await app.request(`/api/v1/shipments/${id}/record?format=csv`, { key: keys.viewer });
      assert.equal(csv.status, 200);
      assert.match(csv.headers.get('content-type') ?? '', /^text\/csv/);
      const lines = (csv.body as string).trimEnd().split('\r\n');
      assert.equal(lines.length, 25);
      assert.equal(lines[0], 'measured_at,temperature_c,status');
      assert.ok(lines.includes(`${iso(36)},20,above`));
      const html = await app.request(`/api/v1/shipments/${id}/record?format=html`, { key: keys.viewer });
      assert.match(html.headers.get('content-type') ?? '', /^text\/html/);
      assert.match(html.body as string, /<h2>Disposition: inspect<\/h2>/);
      assert.match(html.body as string, /Frigo Express/);
    });

    it('a planner overrides the disposition; the record shows computed and confirmed', async () => {
      assert.equal((await decide(keys.viewer)).status, 403);
      const res = await decide(keys.planner);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const { body: r } = await app.request(`/api/v1/shipments/${id}/record`);
      assert.equal(r.disposition.computed, 'inspect');
      assert.equal(r.disposition.confirmed.decision, 'reject');
      assert.equal(r.disposition.confirmed.by, 'planner');
      assert.equal(r.disposition.confirmed.overridden, true);
      assert.equal(r.disposition.history.length, 1);
    });

    it('every journey route: no key → 401, viewer reads, planner writes', async () => {
      const reads = [
        `/api/v1/shipments/${id}/record`,
        `/api/v1/shipments/${id}/record?format=csv`,
        `/api/v1/shipments/${id}/journey`,
        `/api/v1/containers/${CONTAINER}/journey`,
        `/api/v1/containers/${CONTAINER}/kpis`,
        '/api/v1/fleet/kpis',
      ];
      for (const path of reads) {
        assert.equal((await app.request(path, { key: null })).status, 401, path);
        assert.equal((await app.request(path, { key: keys.viewer })).status, 200, path);
      }
      assert.equal((await decide(null)).status, 401);
      assert.equal((await decide(keys.viewer)).status, 403);
      assert.equal((await decide(keys.planner, 'accept')).status, 200);
    });
  });
