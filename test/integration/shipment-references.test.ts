import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startAppOnStore, type AppOnStore } from '#test/support/app-on-store.js';
import { STORE_DIALECTS } from '#test/support/store-dialects.js';
import type { TestApp } from '#test/support/test-app.js';

/**
 * A container, site or profile that a shipment names is not deleted, even once the shipment is
 * over: its history must stay attributable. On SQLite a foreign key says so as well; on
 * PostgreSQL the shipments are in another database than the registry, and only the check does.
 */
for (const dialect of STORE_DIALECTS)
  describe(`deleting what a shipment names (${dialect})`, () => {
    let app: TestApp;
    let store: AppOnStore;

    before(async () => {
      store = await startAppOnStore(dialect);
      app = store.app;
    });
    after(() => store.close());

    const post = async (path: string, body: unknown) => {
      const res = await app.request(path, { method: 'POST', body: JSON.stringify(body) });
      assert.equal(res.status, 201, `${path}: ${JSON.stringify(res.body)}`);
      return res.body as { id: string };
    };
    /** DELETE with the entry's current ETag, as a client that read it first. */
    const remove = async (path: string) => {
      const etag = (await app.request(path)).headers.get('etag') ?? '';
      return app.request(path, { method: 'DELETE', headers: { 'if-match': etag } });
    };
    const site = (id: string) => ({
      id,
      name: id,
      kind: 'hub',
      lat: 45.7,
      lon: 4.9,
      geofence: { type: 'circle', radiusM: 500 },
    });

    it('refuses with 409 while a shipment, even a cancelled one, names the entry', async () => {
      await post('/api/v1/sites', site('REF-ORIGIN'));
      await post('/api/v1/sites', site('REF-DEST'));
      await post('/api/v1/profiles', {
        id: 'ref-profile',
        name: 'Ref',
        basedOn: 'chilled-4',
        temperature: { minC: 0, maxC: 4 },
      });
      await post('/api/v1/containers', { id: 'REF-C', kind: 'reefer', label: 'named' });
      const shipment = await post('/api/v1/shipments', {
        containerId: 'REF-C',
        originSiteId: 'REF-ORIGIN',
        destinationSiteId: 'REF-DEST',
        profileId: 'ref-profile',
        plannedDeparture: '2026-11-22T06:00:00Z',
        plannedArrival: '2026-11-22T12:30:00Z',
      });
      const cancelled = await app.request(`/api/v1/shipments/${shipment.id}/status`, {
        method: 'POST',
        body: JSON.stringify({ status: 'cancelled' }),
      });
      assert.equal(cancelled.status, 200);

      for (const [path, code, text] of [
        ['/api/v1/containers/REF-C', 'fleet.container-in-use', /named by 1 shipment/],
        ['/api/v1/sites/REF-ORIGIN', 'fleet.site-in-use', /origin or destination of 1 shipment/],
        ['/api/v1/sites/REF-DEST', 'fleet.site-in-use', /origin or destination of 1 shipment/],
        ['/api/v1/profiles/ref-profile', 'profiles.in-use', /used by 1 shipment/],
      ] as const) {
        const res = await remove(path);
        assert.equal(res.status, 409, `${path}: ${JSON.stringify(res.body)}`);
        assert.match(res.headers.get('content-type') ?? '', /application\/problem\+json/);
        const problem = res.body as { code?: string; detail?: string };
        assert.equal(problem.code, code, JSON.stringify(problem));
        assert.match(problem.detail ?? '', text);
        assert.equal((await app.request(path)).status, 200, `${path} is still there`);
      }
    });

    it('deletes an entry no shipment names', async () => {
      await post('/api/v1/sites', site('REF-FREE-SITE'));
      await post('/api/v1/profiles', {
        id: 'ref-free-profile',
        name: 'Free',
        basedOn: 'chilled-4',
        temperature: { minC: 0, maxC: 4 },
      });
      await post('/api/v1/containers', { id: 'REF-FREE-C', kind: 'reefer', label: 'free' });
      for (const path of [
        '/api/v1/containers/REF-FREE-C',
        '/api/v1/sites/REF-FREE-SITE',
        '/api/v1/profiles/ref-free-profile',
      ]) {
        assert.equal((await remove(path)).status, 204, path);
        assert.equal((await app.request(path)).status, 404, `${path} is gone`);
      }
    });
  });
