import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { AuditLog } from '#src/audit/audit-log.service.js';
import { OperationalDatabase } from '#src/storage/operational-database.js';
import { startAppOnStore, type AppOnStore } from '#test/support/app-on-store.js';
import { STORE_DIALECTS } from '#test/support/store-dialects.js';
import type { TestApp } from '#test/support/test-app.js';
import { waitFor } from '#test/support/wait-for.js';

interface Entry {
  id: number;
  at: string;
  actor: string;
  action: string;
  method: string;
  path: string;
  target?: string;
  status: number;
}

// The whole flow on each operational store: SQLite in DATA_DIR, and a real PostgreSQL (DATABASE_URL).
for (const dialect of STORE_DIALECTS)
  describe(`${AuditLog.name} (${dialect})`, () => {
    let app: TestApp;
    let store: AppOnStore;
    let planner: string;
    let viewer: string;

    const json = (method: string, body: unknown, key?: string, headers?: Record<string, string>) => ({
      method,
      body: JSON.stringify(body),
      ...(key !== undefined && { key }),
      headers,
    });
    const entries = async (query = '', limit = 500): Promise<Entry[]> => {
      const res = await app.request(`/api/v1/audit?limit=${limit}${query}`);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body.items as Entry[];
    };
    /** Runs `act`, then returns the audit entries it added (waiting for the response's entry). */
    const added = async (act: () => Promise<{ status: number }>, expected = 1): Promise<Entry[]> => {
      const before = (await entries('', 1))[0]?.id ?? 0;
      await act();
      return waitFor('audit entry', async () => {
        const now = (await entries()).filter((e) => e.id > before);
        return now.length >= expected ? now : undefined;
      });
    };
    const key = async (name: string, role: string): Promise<string> => {
      const res = await app.request('/api/v1/keys', json('POST', { name, role }));
      assert.equal(res.status, 201);
      return res.body.key as string;
    };

    before(async () => {
      store = await startAppOnStore(dialect);
      app = store.app;
      planner = await key('planning-lyon', 'planner');
      viewer = await key('store-screens', 'viewer');
    });
    after(() => store.close());

    it('records a created and a revoked API key, with the admin key name as actor, never the key', async () => {
      let created: { id: string; key: string } = { id: '', key: '' };
      const [create] = await added(async () => {
        const res = await app.request('/api/v1/keys', json('POST', { name: 'script', role: 'viewer' }));
        created = res.body;
        return res;
      });
      assert.deepEqual(
        { actor: create.actor, action: create.action, target: create.target, status: create.status },
        { actor: 'admin (CONVOI_ADMIN_KEY)', action: 'key.create', target: created.id, status: 201 },
      );
      const [revoke] = await added(() => app.request(`/api/v1/keys/${created.id}`, { method: 'DELETE' }));
      assert.equal(revoke.action, 'key.revoke');
      assert.equal(revoke.target, created.id);
      assert.equal(revoke.status, 204);
      const all = JSON.stringify(await entries());
      assert.ok(!all.includes(created.key) && !all.includes(app.adminKey), 'no key in the audit log');
    });

    it('records device registration, change and deletion by the planner', async () => {
      const [create] = await added(() =>
        app.request('/api/v1/devices', json('POST', { id: 'AUDIT-DEV-1', format: 'json' }, planner)),
      );
      assert.deepEqual(
        [create.actor, create.action, create.target, create.status],
        ['planning-lyon', 'device.create', 'AUDIT-DEV-1', 201],
      );
      const etag = (await app.request('/api/v1/devices/AUDIT-DEV-1')).headers.get('etag') ?? '';
      const [update] = await added(() =>
        app.request(
          '/api/v1/devices/AUDIT-DEV-1',
          json('PATCH', { model: 'x' }, planner, { 'if-match': etag }),
        ),
      );
      assert.deepEqual([update.action, update.target, update.status], ['device.update', 'AUDIT-DEV-1', 200]);
      const etag2 = (await app.request('/api/v1/devices/AUDIT-DEV-1')).headers.get('etag') ?? '';
      const [del] = await added(() =>
        app.request('/api/v1/devices/AUDIT-DEV-1', {
          method: 'DELETE',
          key: planner,
          headers: { 'if-match': etag2 },
        }),
      );
      assert.deepEqual([del.action, del.target, del.status], ['device.delete', 'AUDIT-DEV-1', 204]);
    });

    it('records shipment creation, change and status change with the shipment as target', async () => {
      // Its own entry first: written behind the response, it must not land among the shipment's.
      await added(() =>
        app.request('/api/v1/containers', json('POST', { id: 'AUDIT-C-1', kind: 'reefer', label: 'c' })),
      );
      let id = '';
      const [create] = await added(async () => {
        const res = await app.request('/api/v1/shipments', json('POST', shipmentBody('AUDIT-C-1'), planner));
        id = res.body.id;
        return res;
      });
      assert.deepEqual(
        [create.actor, create.action, create.target, create.status],
        ['planning-lyon', 'shipment.create', id, 201],
      );
      const etag = (await app.request(`/api/v1/shipments/${id}`)).headers.get('etag') ?? '';
      const [update] = await added(() =>
        app.request(
          `/api/v1/shipments/${id}`,
          json('PATCH', { reference: 'PO-2' }, planner, { 'if-match': etag }),
        ),
      );
      assert.deepEqual([update.action, update.target, update.status], ['shipment.update', id, 200]);
      const [status] = await added(() =>
        app.request(`/api/v1/shipments/${id}/status`, json('POST', { status: 'in_transit' }, planner)),
      );
      assert.deepEqual([status.action, status.target, status.status], ['shipment.status-change', id, 200]);
      const about = await entries(`&target=${id}`);
      assert.deepEqual(
        about.map((e) => e.action),
        ['shipment.status-change', 'shipment.update', 'shipment.create'],
        'filter by target: exactly one entry per action',
      );
    });

    it('records alert acknowledge, comment and clear with the alert as target', async () => {
      // Alerts are in the operational store.
      await sql`INSERT INTO alerts (id, container_id, rule_id, rule_kind, severity, status, opened_at, last_seen_at, count, message)
         VALUES ('AUDIT-ALERT-1', 'AUDIT-C-1', 'temperature-high', 'threshold', 'critical', 'active',
           ${Date.now()}, ${Date.now()}, 1, 'too warm')`.execute(app.running.app.get(OperationalDatabase).db);
      const path = '/api/v1/alerts/AUDIT-ALERT-1';
      const [ack] = await added(() =>
        app.request(`${path}/acknowledge`, json('POST', { note: 'seen' }, planner)),
      );
      const [comment] = await added(() =>
        app.request(`${path}/comments`, json('POST', { text: 'driver called' }, planner)),
      );
      const [clear] = await added(() =>
        app.request(`${path}/clear`, json('POST', { reason: 'door fixed' }, planner)),
      );
      assert.deepEqual(
        [ack, comment, clear].map((e) => [e.actor, e.action, e.target, e.status]),
        [
          ['planning-lyon', 'alert.acknowledge', 'AUDIT-ALERT-1', 200],
          ['planning-lyon', 'alert.comment', 'AUDIT-ALERT-1', 200],
          ['planning-lyon', 'alert.clear', 'AUDIT-ALERT-1', 200],
        ],
      );
    });

    it('records refused actions with their status (403 by role, 400 invalid), not unauthenticated ones', async () => {
      const [refused] = await added(() =>
        app.request('/api/v1/keys', json('POST', { name: 'x', role: 'admin' }, planner)),
      );
      assert.deepEqual([refused.actor, refused.action, refused.status], ['planning-lyon', 'key.create', 403]);
      const [invalid] = await added(() =>
        app.request('/api/v1/devices', json('POST', { id: 'bad id!' }, planner)),
      );
      assert.deepEqual([invalid.action, invalid.status], ['device.create', 400]);
      const count = (await entries()).length;
      const anonymous = await app.request(
        '/api/v1/keys',
        json('POST', { name: 'x', role: 'admin' }, 'cv_wrong'),
      );
      assert.equal(anonymous.status, 401);
      // The 401 leaves nothing: a later audited action is the very next entry.
      const [next] = await added(() =>
        app.request('/api/v1/keys', json('POST', { name: 'y', role: 'viewer' })),
      );
      assert.equal(next.action, 'key.create');
      assert.equal((await entries()).length, count + 1);
    });

    it('is readable by admins only: a viewer and a planner get 403', async () => {
      assert.equal((await app.request('/api/v1/audit', { key: viewer })).status, 403);
      assert.equal((await app.request('/api/v1/audit', { key: planner })).status, 403);
      assert.equal((await app.request('/api/v1/audit', { key: null })).status, 401);
    });

    it('filters by actor, action and time, and pages with a cursor', async () => {
      const mine = await entries('&actor=planning-lyon&action=shipment.create');
      assert.equal(mine.length, 1);
      const future = await entries(
        `&from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`,
      );
      assert.equal(future.length, 0);
      const all = await entries();
      const first = await app.request('/api/v1/audit?limit=2');
      const second = await app.request(`/api/v1/audit?limit=2&cursor=${first.body.nextCursor}`);
      assert.deepEqual(
        [...first.body.items, ...second.body.items].map((e: Entry) => e.id),
        all.slice(0, 4).map((e) => e.id),
      );
    });

    it('is append-only: SQL updates and deletes of entries are refused', async () => {
      const db = app.running.app.get(OperationalDatabase).db;
      await assert.rejects(sql`UPDATE audit_log SET actor = 'someone else'`.execute(db), /append-only/);
      await assert.rejects(sql`DELETE FROM audit_log`.execute(db), /retention purge/);
    });
  });

function shipmentBody(containerId: string) {
  return {
    containerId,
    originSiteId: 'DC-LYON-SQF',
    destinationSiteId: 'HM-PARIS-VILLIERS',
    profileId: 'chilled-4',
    plannedDeparture: '2026-11-22T06:00:00Z',
    plannedArrival: '2026-11-22T12:30:00Z',
  };
}
