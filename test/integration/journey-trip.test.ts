import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { MqttClient } from 'mqtt';
import { ManualClock } from '#src/common/clock.js';
import { deviceTelemetryTopic } from '#src/contracts/topics.js';
import { startAppOnStore, type AppOnStore } from '#test/support/app-on-store.js';
import { STORE_DIALECTS } from '#test/support/store-dialects.js';
import type { TestApp } from '#test/support/test-app.js';
import { waitFor } from '#test/support/wait-for.js';
import { haversineKm, offsetMetres, Polyline, type GeoPoint } from '../../sensors-sim/src/world/geo.js';
import { hubSiteBody } from '#test/support/hub-site.js';

const DEVICE = 'sensor-reefer-001';
const CONTAINER = 'REEFER-001';
const ORIGIN = { id: 'DC-LYON-SQF', lat: 45.6418, lon: 5.1135, altM: 240, radiusM: 400 };
const DESTINATION = { id: 'HM-PARIS-VILLIERS', lat: 48.5819, lon: 2.6011, altM: 80, radiusM: 250 };
/** A hub off the A6 the truck is not meant to visit (the `detour-and-dwell` scenario's Dijon). */
const HUB = { id: 'HUB-DIJON', lat: 47.32, lon: 5.04, radiusM: 500 };
const T0 = Date.UTC(2026, 10, 22, 8, 0, 0);
const MIN = 60_000;

/** A6 waypoints of sensors-sim (ROUTES), through the Dijon hub, to the hypermarket at Villiers-en-Bière. */
const OUTBOUND: GeoPoint[] = [
  ORIGIN,
  ...[
    [45.705, 5.02],
    [45.835, 4.955],
    [45.958, 4.735],
    [46.31, 4.81],
    [46.785, 4.85],
    [47.03, 4.84],
    [HUB.lat, HUB.lon],
    [47.265, 4.575],
    [47.545, 3.955],
    [47.8, 3.58],
    [47.98, 3.39],
    [48.27, 2.705],
  ].map(([lat, lon]) => ({ lat, lon, altM: 0 })),
  DESTINATION,
];

interface Fix {
  at: number;
  lat: number;
  lon: number;
  km: number;
}

/**
 * A truck's fixes along `path`: 85 km/h on the road, 30 km/h within 5 km of a stop, stops held
 * with ±8 m GPS jitter, one fix per `stepMin` (per minute near stops and while stopped).
 */
function drive(
  path: Polyline,
  startMs: number,
  stops: { atKm: number; min: number }[],
  roadStepMin = 1,
): Fix[] {
  const fixes: Fix[] = [];
  let t = startMs;
  let km = 0;
  const hold = (min: number) => {
    const p = path.at(km);
    for (let i = 0; i < min; i++) {
      const j = offsetMetres(p, i % 2 === 0 ? 8 : -8, i % 3 === 0 ? -8 : 8);
      fixes.push({ at: (t += MIN), lat: j.lat, lon: j.lon, km });
    }
  };
  const queue = [...stops].sort((a, b) => a.atKm - b.atKm);
  if (queue[0]?.atKm === 0) hold(queue.shift()!.min);
  while (km < path.totalKm) {
    const near = queue.some((s) => Math.abs(s.atKm - km) < 5) || km < 5;
    const step = near ? 1 : roadStepMin;
    let next = Math.min(path.totalKm, km + ((near ? 30 : 85) * step) / 60);
    const stop = queue[0] && queue[0].atKm <= next ? queue.shift() : undefined;
    if (stop) next = stop.atKm;
    km = next;
    const p = path.at(km);
    fixes.push({ at: (t += step * MIN), lat: p.lat, lon: p.lon, km });
    if (stop) hold(stop.min);
  }
  return fixes;
}

const outside = (f: Fix, site: typeof ORIGIN) => haversineKm(f, site) * 1000 > site.radiusM;

// On each operational store: the shipment's automatic transitions are written behind the readings.
for (const dialect of STORE_DIALECTS)
  describe(`journey: Lyon depot → Paris-region hypermarket over MQTT, then back (${dialect})`, () => {
    const clock = new ManualClock(T0);
    let app: TestApp;
    let store: AppOnStore | undefined;
    let device: MqttClient;
    let shipmentId: string;
    let planner: string;
    const path = new Polyline(OUTBOUND);
    const hubKm = new Polyline(OUTBOUND.slice(0, 8)).totalKm;
    const DWELL_KM = 100;
    const outbound = drive(path, T0, [
      { atKm: 0, min: 20 },
      { atKm: DWELL_KM, min: 45 },
      { atKm: hubKm, min: 20 },
      { atKm: path.totalKm, min: 30 },
    ]);
    const etaChecks: { km: number; at: number; eta: number }[] = [];

    before(async () => {
      store = await startAppOnStore(dialect, { clock, env: { JOURNEY_DWELL_MAX_MIN: '30' } });
      app = store.app;
      const key = await app.request('/api/v1/keys', {
        method: 'POST',
        body: JSON.stringify({ name: 'planner-ann', role: 'planner' }),
      });
      planner = key.body.key as string;
      const hub = await app.request('/api/v1/sites', {
        method: 'POST',
        body: hubSiteBody(HUB),
      });
      assert.equal(hub.status, 201, JSON.stringify(hub.body));
      const created = await app.request('/api/v1/shipments', {
        method: 'POST',
        key: planner,
        body: JSON.stringify({
          containerId: CONTAINER,
          originSiteId: ORIGIN.id,
          destinationSiteId: DESTINATION.id,
          profileId: 'chilled-4',
          carrier: 'Transports Martin',
          plannedDeparture: new Date(T0 + 20 * MIN).toISOString(),
          plannedArrival: new Date(T0 + 20 * MIN + 7 * 60 * MIN).toISOString(),
        }),
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      shipmentId = created.body.id as string;
      device = await app.mqtt({ clientId: DEVICE });
    });
    after(() => store?.close());

    /** Publishes one fix (native JSON, `ts` from the manual clock) and waits until it is applied. */
    const send = async (f: Fix) => {
      clock.set(f.at);
      const body = { ts: f.at, lat: f.lat, lon: f.lon, temperature: 3 };
      await device.publishAsync(deviceTelemetryTopic(DEVICE), JSON.stringify(body), { qos: 1 });
      await waitFor(
        `fix at ${new Date(f.at).toISOString()} applied`,
        async () => (await app.request(`/api/v1/containers/${CONTAINER}`)).body.live?.lastMeasuredAt === f.at,
        5000,
        2,
      );
    };
    const shipment = async () => (await app.request(`/api/v1/shipments/${shipmentId}`)).body;
    const alerts = async (rule: string) =>
      (await app.request(`/api/v1/alerts?containerId=${CONTAINER}&rule=${rule}`)).body.items as {
        status: string;
        message: string;
        openedAt: number | string;
        clearedAt?: number | string;
        severity: string;
        shipmentId?: string;
        peakValue?: number;
      }[];
    const ms = (t: number | string | undefined) => (typeof t === 'string' ? Date.parse(t) : t);

    it('drives the whole trip: status planned → in_transit → arrived on its own, at the crossing times', async () => {
      assert.equal((await shipment()).status, 'planned');
      const checkpoints = [0.5, 0.7, 0.9].map((p) => p * path.totalKm);
      for (const f of outbound) {
        await send(f);
        if (checkpoints.length > 0 && f.km >= checkpoints[0]) {
          checkpoints.shift();
          const s = await shipment();
          assert.equal(s.status, 'in_transit');
          assert.equal(s.journey.confidence, 'moving');
          etaChecks.push({ km: f.km, at: f.at, eta: Date.parse(s.journey.eta) });
        }
      }
      const s = await shipment();
      assert.equal(s.status, 'arrived');
      const departure = outbound.find((f) => outside(f, ORIGIN))!;
      const arrival = outbound.find((f) => f.km > 1 && !outside(f, DESTINATION))!;
      assert.equal(s.departedAt, new Date(departure.at).toISOString());
      assert.equal(s.arrivedAt, new Date(arrival.at).toISOString());
      const journey = await app.request(`/api/v1/shipments/${shipmentId}/journey`);
      const statuses = journey.body.events
        .filter((e: { type: string }) => e.type === 'status')
        .map((e: { detail: string }) => JSON.parse(e.detail));
      assert.deepEqual(statuses, [
        { from: 'planned', to: 'in_transit', manual: false },
        { from: 'in_transit', to: 'arrived', manual: false },
      ]);
    });

    it('ETA converges: its error against the actual arrival shrinks along the route', async () => {
      const arrivedAt = Date.parse((await shipment()).arrivedAt);
      const errorsMin = etaChecks.map((c) => Math.abs(c.eta - arrivedAt) / MIN);
      assert.equal(errorsMin.length, 3);
      assert.ok(errorsMin[0] > errorsMin[1] && errorsMin[1] > errorsMin[2], `errors ${errorsMin.join(', ')}`);
      assert.ok(errorsMin[2] < 15, `error at 90 %: ${errorsMin[2]} min`);
    });

    it('a 45 min stop off-site raised a dwell warning with the place, cleared when it moved on', async () => {
      const [dwell] = await alerts('dwell');
      assert.ok(dwell, 'dwell alert');
      assert.equal(dwell.severity, 'warning');
      assert.equal(dwell.shipmentId, shipmentId);
      const place = path.at(DWELL_KM);
      const [, lat, lon] = /outside any site at (-?[\d.]+), (-?[\d.]+)/.exec(dwell.message) ?? [];
      assert.ok(haversineKm({ lat: Number(lat), lon: Number(lon) }, place) < 0.05, dwell.message);
      assert.equal(dwell.status, 'cleared');
      const stopStart = outbound.find((f) => f.km === DWELL_KM)!.at;
      assert.equal(ms(dwell.openedAt), stopStart + 30 * MIN);
    });

    it('the detour into the Dijon hub raised unexpected-site, cleared on leaving; its stop is a site dwell', async () => {
      const list = await alerts('unexpected-site');
      assert.equal(list.length, 1);
      assert.match(list[0].message, /HUB-DIJON/);
      assert.equal(list[0].status, 'cleared');
      const events = (await app.request(`/api/v1/shipments/${shipmentId}/journey`)).body.events as {
        type: string;
        siteId?: string;
        at: number;
        until?: number;
      }[];
      const hubDwell = events.find((e) => e.type === 'site-dwell' && e.siteId === HUB.id);
      assert.ok(hubDwell && hubDwell.until! - hubDwell.at >= 19 * MIN, JSON.stringify(hubDwell));
    });

    it('the long stop pushed the ETA past the tolerance: arrival-delay opened, cleared once it recovered', async () => {
      const list = await alerts('arrival-delay');
      const stopStart = outbound.find((f) => f.km === DWELL_KM)!.at;
      const during = list.filter(
        (a) => ms(a.openedAt)! > stopStart && ms(a.openedAt)! <= stopStart + 45 * MIN,
      );
      assert.equal(during.length, 1, JSON.stringify(list));
      assert.ok((during[0].peakValue ?? 0) > 30);
      const arrivedAt = Date.parse((await shipment()).arrivedAt);
      assert.ok(
        list.every((a) => a.status === 'cleared' && ms(a.clearedAt)! <= arrivedAt),
        JSON.stringify(list),
      );
    });

    it('the clean chilled trip’s record says accept; a planner confirms it', async () => {
      const record = await app.request(`/api/v1/shipments/${shipmentId}/record`);
      assert.equal(record.status, 200, JSON.stringify(record.body));
      assert.equal(record.body.disposition.decision, 'accept');
      assert.equal(record.body.temperature.maxC, 3);
      assert.deepEqual([...new Set(record.body.alerts.map((a: { rule: string }) => a.rule))].sort(), [
        'arrival-delay',
        'dwell',
        'unexpected-site',
      ]);
      const confirmed = await app.request(`/api/v1/shipments/${shipmentId}/record/disposition`, {
        method: 'POST',
        key: planner,
        body: JSON.stringify({ decision: 'accept', reason: 'clean trip, seals intact' }),
      });
      assert.equal(confirmed.status, 200, JSON.stringify(confirmed.body));
      assert.deepEqual(
        { ...confirmed.body.disposition.confirmed, at: undefined },
        {
          decision: 'accept',
          reason: 'clean trip, seals intact',
          computed: 'accept',
          overridden: false,
          by: 'planner-ann',
          at: undefined,
        },
      );
    });

    it('after the return to the depot: one rotation, three trips, time at each site', async () => {
      const closed = await app.request(`/api/v1/shipments/${shipmentId}/status`, {
        method: 'POST',
        key: planner,
        body: JSON.stringify({ status: 'closed' }),
      });
      assert.equal(closed.status, 200);
      const back = new Polyline([...OUTBOUND.filter((p) => p !== OUTBOUND[7])].reverse());
      const last = outbound[outbound.length - 1];
      const inbound = drive(back, last.at, [{ atKm: back.totalKm, min: 10 }], 5);
      for (const f of inbound) await send(f);
      const kpis = await app.request(`/api/v1/containers/${CONTAINER}/kpis`);
      assert.equal(kpis.status, 200);
      assert.equal(kpis.body.trips, 3);
      assert.equal(kpis.body.rotations.length, 1);
      const departure = outbound.find((f) => outside(f, ORIGIN))!.at;
      const returned = inbound.find((f) => !outside(f, ORIGIN))!.at;
      assert.equal(kpis.body.rotations[0].durationMin, Math.round((returned - departure) / 6_000) / 10);
      assert.deepEqual(kpis.body.rotations[0].storeIds, [DESTINATION.id]);
      const site = (id: string) => kpis.body.sites.find((s: { siteId: string }) => s.siteId === id);
      assert.equal(site(HUB.id).visits, 1);
      assert.equal(site(DESTINATION.id).visits, 1);
      assert.equal(site(ORIGIN.id).visits, 2);
      const fleet = await app.request('/api/v1/fleet/kpis');
      assert.equal(fleet.body.rotations, 1);
      assert.ok(fleet.body.minutesBySiteKind.hub >= 19);
      const statuses = (await app.request(`/api/v1/shipments/${shipmentId}/journey`)).body.events
        .filter((e: { type: string }) => e.type === 'status')
        .map((e: { detail: string }) => JSON.parse(e.detail));
      assert.deepEqual(statuses.at(-1), {
        from: 'arrived',
        to: 'closed',
        manual: true,
        actor: 'planner-ann',
      });
    });
  });
