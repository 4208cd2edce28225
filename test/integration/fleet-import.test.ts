// POST /admin/import against the real platform: idempotent, validated, and applied to ingestion
// page by page (the in-memory indexes are refreshed, not rebuilt, for a page).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { deviceTelemetryTopic } from '#src/contracts/topics.js';
import { startAppOnStore, type AppOnStore } from '#test/support/app-on-store.js';
import { STORE_DIALECTS } from '#test/support/store-dialects.js';
import type { TestApp } from '#test/support/test-app.js';
import { waitFor } from '#test/support/wait-for.js';

const json = (method: string, body: unknown) => ({ method, body: JSON.stringify(body) });

for (const dialect of STORE_DIALECTS)
  describe(`fleet import (admin) (${dialect})`, () => {
    let app: TestApp;
    let store: AppOnStore;
    before(async () => {
      store = await startAppOnStore(dialect);
      app = store.app;
    });
    after(() => store.close());

    it('applies a page of an import to ingestion at once: a new device, a device moved to another container', async () => {
      const page = (containerId: string) => ({
        sites: [],
        containers: [
          { id: 'PAGE-A', kind: 'roll-cage', label: 'a' },
          { id: 'PAGE-B', kind: 'roll-cage', label: 'b' },
        ],
        devices: [{ id: 'page-dev', format: 'json', containerId }],
      });
      const from = new Date(Date.now() - 60_000).toISOString();
      const temperaturesOn = async (container: string) =>
        (await app.request(`/api/v1/containers/${container}/readings?from=${from}`)).body.items.map(
          (r: { temperatureC: number }) => r.temperatureC,
        );
      const publish = async (temperature: number) => {
        const client = await app.mqtt({ clientId: 'page-dev' });
        await client.publishAsync(
          deviceTelemetryTopic('page-dev'),
          JSON.stringify({ ts: Date.now(), temperature }),
          { qos: 1 },
        );
        await client.endAsync();
      };
      assert.equal((await app.request('/api/v1/admin/import', json('POST', page('PAGE-A')))).status, 200);
      await publish(3.25);
      await waitFor('reading on PAGE-A', async () =>
        (await temperaturesOn('PAGE-A')).length === 1 ? true : undefined,
      );
      const moved = await app.request('/api/v1/admin/import', json('POST', page('PAGE-B')));
      assert.equal(moved.body.bindingsChanged, 1);
      await publish(4.75);
      assert.deepEqual(
        await waitFor('reading on PAGE-B', async () => {
          const onB = await temperaturesOn('PAGE-B');
          return onB.length === 1 ? onB : undefined;
        }),
        [4.75],
      );
      assert.deepEqual(await temperaturesOn('PAGE-A'), [3.25]);
    });

    it('imports the fleet seed idempotently (admin)', async () => {
      const seed = {
        sites: [],
        containers: [{ id: 'IMP-1', kind: 'dry-box', label: 'i' }],
        devices: [{ id: 'imp-dev', format: 'json', containerId: 'IMP-1' }],
      };
      const first = await app.request('/api/v1/admin/import', json('POST', seed));
      assert.deepEqual(first.body, { sites: 0, containers: 1, devices: 1, bindingsChanged: 1 });
      const second = await app.request('/api/v1/admin/import', json('POST', seed));
      assert.deepEqual(second.body, { sites: 0, containers: 1, devices: 1, bindingsChanged: 0 });
      const bad = await app.request('/api/v1/admin/import', json('POST', { sites: 'x', extra: 1 }));
      assert.equal(bad.status, 400);
      assert.deepEqual([...bad.body.errors].sort(), [
        'each value in nested property sites must be either object or array',
        'property extra should not exist',
        'sites must be an array',
        'sites must contain no more than 10000 elements',
      ]);
    });

    it('writes nothing of an import the store refuses, and says why (400, 409)', async () => {
      const homeless = await app.request(
        '/api/v1/admin/import',
        json('POST', {
          sites: [],
          containers: [
            { id: 'REF-OK', kind: 'pallet', label: 'ok' },
            { id: 'REF-HOMELESS', kind: 'pallet', label: 'h', siteId: 'NO-SUCH-SITE' },
          ],
          devices: [],
        }),
      );
      assert.equal(homeless.status, 400, JSON.stringify(homeless.body));
      assert.equal(homeless.body.code, 'fleet.seed-invalid');
      assert.equal((await app.request('/api/v1/containers/REF-OK')).status, 404);
      const taken = await app.request(
        '/api/v1/admin/import',
        json('POST', {
          sites: [],
          containers: [{ id: 'REF-OK', kind: 'pallet', label: 'ok' }],
          devices: [
            { id: 'ref-dev-1', format: 'chirpstack', devEui: '70b3d57ed00003aa' },
            { id: 'ref-dev-2', format: 'chirpstack', devEui: '70b3d57ed00003aa' },
          ],
        }),
      );
      assert.equal(taken.status, 409, JSON.stringify(taken.body));
      assert.equal(taken.body.code, 'fleet.dev-eui-taken');
      assert.equal((await app.request('/api/v1/containers/REF-OK')).status, 404);
    });
  });
