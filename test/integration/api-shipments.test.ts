import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { DomainEvents } from '#src/common/events/domain-events.js';
import { deviceTelemetryTopic } from '#src/contracts/topics.js';
import type { ShipmentStatusChange } from '#src/contracts/shipment-status.js';
import { ActiveShipments } from '#src/fleet/active-shipments.service.js';
import type { RuleDefinition } from '#src/contracts/rule-definition.js';
import { RuleSetSource } from '#src/rules/rule-set.source.js';
import { ShipmentsService } from '#src/shipments/shipments.service.js';
import { OperationalDatabase } from '#src/storage/operational-database.js';
import { startAppOnStore, type AppOnStore } from '#test/support/app-on-store.js';
import { STORE_DIALECTS } from '#test/support/store-dialects.js';
import type { TestApp } from '#test/support/test-app.js';
import { waitFor } from '#test/support/wait-for.js';

const STATUSES = ['planned', 'in_transit', 'arrived', 'closed', 'cancelled'] as const;
type Status = (typeof STATUSES)[number];
const LEGAL = new Set([
  'planned>in_transit',
  'planned>cancelled',
  'in_transit>arrived',
  'in_transit>cancelled',
  'arrived>closed',
]);
/** How to reach each status from planned. */
const PATH: Record<Status, Status[]> = {
  planned: [],
  in_transit: ['in_transit'],
  arrived: ['in_transit', 'arrived'],
  closed: ['in_transit', 'arrived', 'closed'],
  cancelled: ['cancelled'],
};

// The whole API on each operational store: SQLite in DATA_DIR, and a real PostgreSQL (DATABASE_URL).
for (const dialect of STORE_DIALECTS)
  describe(`shipments (${dialect})`, () => {
    let app: TestApp;
    let store: AppOnStore;
    let n = 0;

    before(async () => {
      store = await startAppOnStore(dialect);
      app = store.app;
    });
    after(() => store.close());

    const json = (method: string, body: unknown, headers?: Record<string, string>) => ({
      method,
      body: JSON.stringify(body),
      headers,
    });

    /** A fresh container and a shipment planned on it. */
    const plan = async () => {
      const containerId = `SHIP-C-${++n}`;
      const c = await app.request(
        '/api/v1/containers',
        json('POST', { id: containerId, kind: 'reefer', label: 'c' }),
      );
      assert.equal(c.status, 201);
      const res = await app.request('/api/v1/shipments', json('POST', shipmentBody(containerId)));
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return res.body as { id: string; containerId: string; status: Status };
    };
    const move = (id: string, status: string) =>
      app.request(`/api/v1/shipments/${id}/status`, json('POST', { status }));

    it("follows every write in the containers' index and in the shipment's rules", async () => {
      const rules = app.running.app.get(RuleSetSource);
      const active = app.running.app.get(ActiveShipments);
      const band = (s: { id: string; containerId: string }) => highest(rules.rulesFor(s.containerId, s.id));
      const other = await plan();
      const s = await plan();
      assert.equal(band(s), 3.5);
      assert.deepEqual(active.get(s.containerId), { shipmentId: s.id, profileId: 'chilled-4' });
      const etag = (await app.request(`/api/v1/shipments/${s.id}`)).headers.get('etag')!;
      const patch = { overrides: { temperature: { maxC: 2.5 } } };
      assert.equal(
        (await app.request(`/api/v1/shipments/${s.id}`, json('PATCH', patch, { 'if-match': etag }))).status,
        200,
      );
      assert.equal(band(s), 2.5, 'the new override applies from the next reading');
      assert.equal((await move(s.id, 'cancelled')).status, 200);
      assert.equal(active.get(s.containerId), undefined);
      assert.deepEqual(active.get(other.containerId), { shipmentId: other.id, profileId: 'chilled-4' });
    });

    it("applies a profile's change to the shipments on it from their next reading", async () => {
      const rules = app.running.app.get(RuleSetSource);
      const profile = {
        id: 'pr-sushi',
        name: 'Sushi',
        basedOn: 'chilled-4',
        temperature: { minC: 0, maxC: 4.5 },
      };
      const created = await app.request('/api/v1/profiles', json('POST', profile));
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const containerId = `SHIP-C-${++n}`;
      await app.request('/api/v1/containers', json('POST', { id: containerId, kind: 'reefer', label: 'c' }));
      const body = { ...shipmentBody(containerId), profileId: profile.id, overrides: undefined };
      const s = (await app.request('/api/v1/shipments', json('POST', body))).body as { id: string };
      const band = () => highest(rules.rulesFor(containerId, s.id));
      assert.equal(band(), 4.5);
      const patch = { temperature: { minC: 0, maxC: 5.5 } };
      const etag = created.headers.get('etag')!;
      const patched = await app.request(
        `/api/v1/profiles/${profile.id}`,
        json('PATCH', patch, { 'if-match': etag }),
      );
      assert.equal(patched.status, 200, JSON.stringify(patched.body));
      assert.equal(band(), 5.5);
    });

    it('creates a planned shipment with Location, ETag and the actor', async () => {
      const s = await plan();
      const res = await app.request(`/api/v1/shipments/${s.id}`);
      assert.equal(res.status, 200);
      assert.equal(res.body.status, 'planned');
      assert.equal(res.body.createdBy, 'admin (CONVOI_ADMIN_KEY)');
      assert.match(res.headers.get('etag') ?? '', /^"[\w-]+\.[\w-]+"$/);
    });

    it('allows exactly the legal transitions and refuses every other with 409 and a clear detail', async () => {
      for (const from of STATUSES) {
        for (const to of STATUSES) {
          const s = await plan();
          for (const step of PATH[from]) assert.equal((await move(s.id, step)).status, 200);
          const res = await move(s.id, to);
          if (LEGAL.has(`${from}>${to}`)) {
            assert.equal(res.status, 200, `${from} → ${to}`);
            assert.equal(res.body.status, to);
          } else {
            assert.equal(res.status, 409, `${from} → ${to} refused`);
            assert.equal(res.body.code, 'shipments.illegal-transition');
            assert.match(res.body.detail, new RegExp(`cannot go from ${from} to ${to}`));
          }
        }
      }
    });

    it('refuses a second active shipment for a container, and allows one once the first is closed', async () => {
      const first = await plan();
      const second = await app.request('/api/v1/shipments', json('POST', shipmentBody(first.containerId)));
      assert.equal(second.status, 409);
      assert.equal(second.body.code, 'shipments.container-busy');
      for (const step of PATH.closed) await move(first.id, step);
      const third = await app.request('/api/v1/shipments', json('POST', shipmentBody(first.containerId)));
      assert.equal(third.status, 201);
    });

    it('requires If-Match on updates: 428 without, 412 when stale, 200 when current', async () => {
      const s = await plan();
      const read = await app.request(`/api/v1/shipments/${s.id}`);
      const etag = read.headers.get('etag')!;
      const none = await app.request(`/api/v1/shipments/${s.id}`, json('PATCH', { carrier: 'A' }));
      assert.equal(none.status, 428);
      const ok = await app.request(
        `/api/v1/shipments/${s.id}`,
        json('PATCH', { carrier: 'A' }, { 'if-match': etag }),
      );
      assert.equal(ok.status, 200);
      assert.notEqual(ok.headers.get('etag'), etag);
      const stale = await app.request(
        `/api/v1/shipments/${s.id}`,
        json('PATCH', { carrier: 'B' }, { 'if-match': etag }),
      );
      assert.equal(stale.status, 412);
      assert.equal(stale.body.code, 'common.stale-etag');
      const del = await app.request(`/api/v1/shipments/${s.id}`, {
        method: 'DELETE',
        headers: { 'if-match': etag },
      });
      assert.equal(del.status, 412);
    });

    it('filters by status, site and planned window', async () => {
      const s = await plan();
      await move(s.id, 'in_transit');
      const inTransit = await app.request('/api/v1/shipments?status=in_transit&limit=500');
      assert.ok(inTransit.body.items.some((x: any) => x.id === s.id));
      assert.ok(inTransit.body.items.every((x: any) => x.status === 'in_transit'));
      const bySite = await app.request('/api/v1/shipments?siteId=HM-LILLE-V2&limit=500');
      assert.deepEqual(bySite.body.items, []);
      const window = await app.request('/api/v1/shipments?from=2030-01-01T00:00:00Z&to=2030-02-01T00:00:00Z');
      assert.deepEqual(window.body.items, []);
      const bad = await app.request('/api/v1/shipments?status=lost&from=yesterday');
      assert.equal(bad.status, 400);
      assert.deepEqual(bad.body.errors.sort(), [
        'from must be a valid ISO 8601 date string',
        'status must be one of the following values: planned, in_transit, arrived, closed, cancelled',
      ]);
    });

    it('takes a transition the journey concludes into memory at once, stores it in order and announces it once', async () => {
      const service = app.running.app.get(ShipmentsService);
      const announced: ShipmentStatusChange[] = [];
      const events = app.running.app.get(DomainEvents);
      events.on('shipment.status-changed', (c) => announced.push(c));
      const s = await plan();
      const departed = Date.parse('2026-11-22T06:05:00Z');
      // As during a reading: synchronous, and the very next reading sees the new status.
      const moved = service.advance(s.id, 'planned', 'in_transit', departed);
      assert.equal(moved?.status, 'in_transit');
      assert.equal(service.activeShipment(s.id)?.status, 'in_transit');
      assert.equal(service.advance(s.id, 'planned', 'in_transit', departed), undefined, 'concluded once');
      // A planner's next write comes after it: arriving from in_transit is legal at once.
      const arrived = await move(s.id, 'arrived');
      assert.equal(arrived.status, 200, JSON.stringify(arrived.body));
      assert.equal(arrived.body.departedAt, new Date(departed).toISOString());
      assert.deepEqual(
        announced.filter((c) => c.shipmentId === s.id).map((c) => [c.from, c.to, c.manual]),
        [
          ['planned', 'in_transit', false],
          ['in_transit', 'arrived', true],
        ],
      );
    });

    it('takes back what the store holds when a queued transition is refused there (moved meanwhile)', async () => {
      const service = app.running.app.get(ShipmentsService);
      const active = app.running.app.get(ActiveShipments);
      const s = await plan();
      // Another writer (another node, an operator) cancels it in the store behind this node's back.
      await sql`UPDATE shipments SET status = 'cancelled' WHERE id = ${s.id}`.execute(
        app.running.app.get(OperationalDatabase).db,
      );
      assert.equal(service.advance(s.id, 'planned', 'in_transit', Date.now())?.status, 'in_transit');
      const stored = await service.get(s.id);
      assert.equal(stored.value.status, 'cancelled', 'the compare-and-set found it cancelled');
      assert.equal(service.activeShipment(s.id), undefined, 'memory follows the store');
      assert.equal(active.get(s.containerId), undefined, 'its readings no longer carry it');
    });

    it('puts the active shipment id on the readings of its container', async () => {
      const containerId = 'REEFER-001';
      const before = await app.request('/api/v1/shipments?containerId=REEFER-001&status=planned');
      assert.deepEqual(before.body.items, []);
      const created = await app.request('/api/v1/shipments', json('POST', shipmentBody(containerId)));
      assert.equal(created.status, 201);
      const device = await app.mqtt({ clientId: 'sensor-reefer-001' });
      await device.publishAsync(
        deviceTelemetryTopic('sensor-reefer-001'),
        JSON.stringify({ ts: Date.now(), temperature: 3.1 }),
        { qos: 1 },
      );
      const live = await waitFor('reading with shipment', async () => {
        const { body } = await app.request(`/api/v1/containers/${containerId}`);
        return body.live?.shipmentId === created.body.id ? body.live : undefined;
      });
      assert.equal(live.values.temperatureC.value, 3.1);
    });
  });

/** The upper temperature limit among a rule set (the profile's, or the shipment's override). */
function highest(rules: readonly RuleDefinition[]): number | undefined {
  const rule = rules.find((r) => r.id === 'temperature-high');
  return rule !== undefined && 'band' in rule ? rule.band.max : undefined;
}

function shipmentBody(containerId: string) {
  return {
    containerId,
    originSiteId: 'DC-LYON-SQF',
    destinationSiteId: 'HM-PARIS-VILLIERS',
    profileId: 'chilled-4',
    overrides: { temperature: { maxC: 3.5 } },
    plannedDeparture: '2026-11-22T06:00:00Z',
    plannedArrival: '2026-11-22T12:30:00Z',
    carrier: 'Transports Martin',
    reference: 'PO-4411',
  };
}
