import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { deviceTelemetryTopic } from '#src/contracts/topics.js';
import { startAppOnStore, type AppOnStore } from '#test/support/app-on-store.js';
import { STORE_DIALECTS } from '#test/support/store-dialects.js';
import type { TestApp } from '#test/support/test-app.js';
import { waitFor } from '#test/support/wait-for.js';

const json = (method: string, body: unknown, headers?: Record<string, string>) => ({
  method,
  body: typeof body === 'string' ? body : JSON.stringify(body),
  headers,
});

/** One create route: a valid body, a wrong-typed one, and the exact messages of an empty body. */
const CREATES = [
  {
    path: '/api/v1/sites',
    valid: {
      id: 'HUB-TEST',
      name: 'Hub',
      kind: 'hub',
      lat: 45.7,
      lon: 4.9,
      geofence: {
        type: 'polygon',
        coordinates: [
          [
            [4.9, 45.7],
            [4.91, 45.7],
            [4.91, 45.71],
            [4.9, 45.7],
          ],
        ],
      },
    },
    wrong: {
      id: 'HUB-X',
      name: 7,
      kind: 'hub',
      lat: '45',
      lon: 4.9,
      geofence: { type: 'circle', radiusM: 'big' },
    },
    wrongErrors: [
      'geofence.radiusM must be a number conforming to the specified constraints',
      'geofence.radiusM must not be greater than 50000',
      'geofence.radiusM must not be less than 10',
      'lat must be a number conforming to the specified constraints',
      'name must be a string',
      'name must be longer than or equal to 1 characters',
      'name must be shorter than or equal to 200 characters',
    ],
  },
  {
    path: '/api/v1/containers',
    valid: { id: 'RC-TEST', kind: 'roll-cage', label: 'Roll cage', siteId: 'DC-LYON-SQF', notes: '1.2 m³' },
    wrong: { id: 'RC-X', kind: 'reefer', label: ['a'] },
    wrongErrors: [
      'label must be a string',
      'label must be longer than or equal to 1 characters',
      'label must be shorter than or equal to 200 characters',
    ],
  },
  {
    path: '/api/v1/devices',
    valid: {
      id: 'dev-test',
      format: 'chirpstack',
      devEui: '70B3D57ED0001A2B',
      channelMap: { channels: { '3': 'temperatureC' } },
    },
    wrong: { id: 'dev-x', format: 'lora', channelMap: { channels: { '999': 'temperatureC' } } },
    wrongErrors: [
      'channelMap channels has an invalid key 999',
      'format must be one of the following values: json, chirpstack, tts',
    ],
  },
  {
    path: '/api/v1/profiles',
    valid: { id: 'sushi-3', name: 'Sushi', basedOn: 'chilled-3', temperature: { minC: 0, maxC: 3 } },
    wrong: { id: 'p-x', name: 'P', temperature: { maxC: '4' } },
    wrongErrors: [
      'temperature.maxC must be a number conforming to the specified constraints',
      'temperature.maxC must not be greater than 85',
      'temperature.maxC must not be less than -50',
    ],
  },
];

for (const dialect of STORE_DIALECTS)
  describe(`fleet and profiles REST resources (${dialect})`, () => {
    let app: TestApp;
    let store: AppOnStore;
    before(async () => {
      store = await startAppOnStore(dialect);
      app = store.app;
    });
    after(() => store.close());

    it('creates, reads, updates and deletes each resource with Location, ETag and If-Match', async () => {
      for (const c of CREATES) {
        const created = await app.request(c.path, json('POST', c.valid));
        assert.equal(created.status, 201, `${c.path}: ${JSON.stringify(created.body)}`);
        const url = `${c.path}/${c.valid.id}`;
        assert.equal(created.headers.get('location'), url);
        const again = await app.request(c.path, json('POST', c.valid));
        assert.equal(again.status, 409, `${c.path} duplicate`);
        const read = await app.request(url);
        assert.equal(read.status, 200);
        const etag = read.headers.get('etag')!;
        assert.equal(etag, created.headers.get('etag'));
        const unchanged = await app.request(url, { headers: { 'if-none-match': `"stale", ${etag}` } });
        assert.equal(unchanged.status, 304, `${url} conditional GET of the current version`);
        assert.equal(unchanged.body, undefined, '304 carries no body');
        assert.equal((await app.request(url, { headers: { 'if-none-match': '"stale"' } })).status, 200);
        const patchBody = c.path.endsWith('devices')
          ? { model: 'lht65' }
          : c.path.endsWith('containers')
            ? { label: 'x' }
            : { name: 'Renamed' };
        assert.equal(
          (await app.request(url, json('PATCH', patchBody))).status,
          428,
          `${url} without If-Match`,
        );
        const patched = await app.request(url, json('PATCH', patchBody, { 'if-match': etag }));
        assert.equal(patched.status, 200, `${url} PATCH ${JSON.stringify(patched.body)}`);
        assert.equal((await app.request(url, json('PATCH', patchBody, { 'if-match': etag }))).status, 412);
        assert.equal(
          (await app.request(url, { method: 'DELETE', headers: { 'if-match': etag } })).status,
          412,
        );
        const del = await app.request(url, {
          method: 'DELETE',
          headers: { 'if-match': patched.headers.get('etag')! },
        });
        assert.equal(del.status, 204, `${url} DELETE ${JSON.stringify(del.body)}`);
        assert.equal((await app.request(url)).status, 404);
      }
    });

    it('rejects an empty body with every missing field named', async () => {
      const expected: Record<string, string[]> = {
        '/api/v1/sites': [
          'geofence should not be null or undefined',
          'id must be 1-64 characters of letters, digits, ".", "_" or "-", without ".."',
          'id must be a string',
          'id must be shorter than or equal to 64 characters',
          'kind must be one of the following values: warehouse, hub, hypermarket, supermarket',
          'lat must be a latitude string or number',
          'lat must be a number conforming to the specified constraints',
          'lon must be a longitude string or number',
          'lon must be a number conforming to the specified constraints',
          'name must be a string',
          'name must be longer than or equal to 1 characters',
          'name must be shorter than or equal to 200 characters',
        ],
        '/api/v1/containers': [
          'id must be 1-64 characters of letters, digits, ".", "_" or "-", without ".."',
          'id must be a string',
          'id must be shorter than or equal to 64 characters',
          'kind must be one of the following values: reefer, roll-cage, pallet, dry-box',
          'label must be a string',
          'label must be longer than or equal to 1 characters',
          'label must be shorter than or equal to 200 characters',
        ],
        '/api/v1/devices': [
          'format must be one of the following values: json, chirpstack, tts',
          'id must be 1-64 characters of letters, digits, ".", "_" or "-", without ".."',
          'id must be a string',
          'id must be shorter than or equal to 64 characters',
        ],
        '/api/v1/profiles': [
          'id must be 1-64 characters of letters, digits, ".", "_" or "-", without ".."',
          'id must be a string',
          'id must be shorter than or equal to 64 characters',
          'name must be a string',
          'name must be longer than or equal to 1 characters',
          'name must be shorter than or equal to 100 characters',
          'temperature should not be null or undefined',
        ],
      };
      for (const [path, errors] of Object.entries(expected)) {
        const res = await app.request(path, json('POST', {}));
        assert.equal(res.status, 400, path);
        assert.match(res.headers.get('content-type') ?? '', /application\/problem\+json/);
        assert.deepEqual([...res.body.errors].sort(), errors, path);
      }
    });

    it('rejects unknown fields and wrong types', async () => {
      for (const c of CREATES) {
        const extra = await app.request(
          c.path,
          json('POST', { ...c.valid, tenantId: 'other', __proto__x: 1 }),
        );
        assert.equal(extra.status, 400);
        assert.deepEqual([...extra.body.errors].sort(), [
          'property __proto__x should not exist',
          'property tenantId should not exist',
        ]);
        const wrong = await app.request(c.path, json('POST', c.wrong));
        assert.equal(wrong.status, 400, c.path);
        assert.deepEqual([...wrong.body.errors].sort(), c.wrongErrors, c.path);
      }
    });

    it('validates geofence polygons: closed rings, 4 positions, real coordinates', async () => {
      const site = (coordinates: unknown) => ({
        id: 'POLY',
        name: 'p',
        kind: 'hub',
        lat: 1,
        lon: 1,
        geofence: { type: 'polygon', coordinates },
      });
      const cases: [unknown, string][] = [
        [
          [
            [
              [0, 0],
              [1, 0],
              [1, 1],
              [0, 1],
            ],
          ],
          'geofence.coordinates ring 0 is not closed (last position must equal the first)',
        ],
        [
          [
            [
              [0, 0],
              [1, 0],
              [0, 0],
            ],
          ],
          'geofence.coordinates ring 0 must have at least 4 positions',
        ],
        [
          [
            [
              [0, 0],
              [181, 0],
              [1, 1],
              [0, 0],
            ],
          ],
          'geofence.coordinates ring 0 position 1 has a longitude outside −180…180',
        ],
        [
          [
            [
              [0, 0],
              [1, 95],
              [1, 1],
              [0, 0],
            ],
          ],
          'geofence.coordinates ring 0 position 1 has a latitude outside −90…90',
        ],
        [
          [
            [
              [0, 0],
              ['1', 0],
              [1, 1],
              [0, 0],
            ],
          ],
          'geofence.coordinates ring 0 position 1 must hold finite numbers',
        ],
        [undefined, 'geofence.coordinates should not be null or undefined'],
      ];
      for (const [coordinates, message] of cases) {
        const res = await app.request('/api/v1/sites', json('POST', site(coordinates)));
        assert.equal(res.status, 400);
        assert.ok(res.body.errors.includes(message), `${message} in ${JSON.stringify(res.body.errors)}`);
      }
    });

    it('answers 404 for unknown ids on every item route, and protects referenced or seeded items', async () => {
      for (const base of ['sites', 'containers', 'devices', 'profiles', 'shipments']) {
        const url = `/api/v1/${base}/NOPE-404`;
        assert.equal((await app.request(url)).status, 404, url);
        assert.equal((await app.request(url, json('PATCH', {}, { 'if-match': '*' }))).status, 404, url);
        assert.equal(
          (await app.request(url, { method: 'DELETE', headers: { 'if-match': '*' } })).status,
          404,
          url,
        );
      }
      for (const action of ['bind', 'unbind']) {
        const res = await app.request(
          `/api/v1/devices/NOPE-404/${action}`,
          json('POST', { containerId: 'REEFER-001' }),
        );
        assert.equal(res.status, action === 'bind' ? 404 : 400, action);
      }
      assert.equal((await app.request('/api/v1/devices/NOPE-404/bindings')).status, 404);
      const siteInUse = await app.request('/api/v1/sites/DC-LYON-SQF', {
        method: 'DELETE',
        headers: { 'if-match': '*' },
      });
      assert.equal(siteInUse.status, 409);
      const seeded = await app.request(
        '/api/v1/profiles/frozen',
        json('PATCH', { name: 'x' }, { 'if-match': '*' }),
      );
      assert.equal(seeded.status, 409);
      assert.equal(seeded.body.code, 'profiles.read-only');
    });

    it('filters containers by kind and home site', async () => {
      const reefers = await app.request('/api/v1/containers?kind=reefer&limit=500');
      assert.ok(reefers.body.items.length > 0);
      assert.ok(reefers.body.items.every((c: any) => c.kind === 'reefer'));
      const lyon = await app.request('/api/v1/containers?siteId=DC-LYON-SQF&limit=500');
      assert.ok(lyon.body.items.length > 0);
      assert.ok(lyon.body.items.every((c: any) => c.siteId === 'DC-LYON-SQF'));
    });

    it('walks 250 items page by page without loss or repeat', async () => {
      const ids = Array.from({ length: 250 }, (_, i) => `PAGE-${String(i).padStart(3, '0')}`);
      for (const id of ids) {
        const res = await app.request('/api/v1/containers', json('POST', { id, kind: 'pallet', label: id }));
        assert.equal(res.status, 201);
      }
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const q = `kind=pallet&limit=7${cursor ? `&cursor=${cursor}` : ''}`;
        const res = await app.request(`/api/v1/containers?${q}`);
        assert.equal(res.status, 200);
        seen.push(...res.body.items.map((c: any) => c.id).filter((id: string) => id.startsWith('PAGE-')));
        cursor = res.body.nextCursor;
        pages++;
      } while (cursor);
      assert.deepEqual(seen, ids);
      assert.equal(new Set(seen).size, 250);
      assert.ok(pages >= 36);
      const bad = await app.request('/api/v1/containers?cursor=!!!');
      assert.equal(bad.status, 400);
    });

    it('attributes a reading measured before a rebind to the old container', async () => {
      const device = 'sensor-rebind-1';
      for (const id of ['REBIND-A', 'REBIND-B'])
        assert.equal(
          (await app.request('/api/v1/containers', json('POST', { id, kind: 'reefer', label: id }))).status,
          201,
        );
      assert.equal(
        (await app.request('/api/v1/devices', json('POST', { id: device, format: 'json' }))).status,
        201,
      );
      const t0 = Date.now() - 3_600_000;
      const bindA = await app.request(
        `/api/v1/devices/${device}/bind`,
        json('POST', { containerId: 'REBIND-A', at: new Date(t0).toISOString() }),
      );
      assert.equal(bindA.status, 200);
      const rebindAt = Date.now() - 60_000;
      const bindB = await app.request(
        `/api/v1/devices/${device}/bind`,
        json('POST', { containerId: 'REBIND-B', at: new Date(rebindAt).toISOString() }),
      );
      assert.equal(bindB.status, 200);
      const history = await app.request(`/api/v1/devices/${device}/bindings`);
      assert.deepEqual(
        history.body.items.map((b: any) => [b.containerId, b.boundAt, b.unboundAt]),
        [
          ['REBIND-A', t0, rebindAt],
          ['REBIND-B', rebindAt, undefined],
        ],
      );
      const backwards = await app.request(
        `/api/v1/devices/${device}/bind`,
        json('POST', { containerId: 'REBIND-A', at: new Date(t0).toISOString() }),
      );
      assert.equal(backwards.status, 409);

      const client = await app.mqtt({ clientId: device });
      const before = rebindAt - 10 * 60_000;
      await client.publishAsync(
        deviceTelemetryTopic(device),
        JSON.stringify({ ts: before, temperature: 5.5 }),
        { qos: 1 },
      );
      await client.publishAsync(
        deviceTelemetryTopic(device),
        JSON.stringify({ ts: Date.now(), temperature: 2.5 }),
        { qos: 1 },
      );
      const from = new Date(t0).toISOString();
      const a = await waitFor('reading on A', async () => {
        const { body } = await app.request(`/api/v1/containers/REBIND-A/readings?from=${from}`);
        return body.items.length === 1 ? body.items : undefined;
      });
      assert.deepEqual([a[0].measuredAt, a[0].temperatureC], [before, 5.5]);
      const b = await waitFor('reading on B', async () => {
        const { body } = await app.request(`/api/v1/containers/REBIND-B/readings?from=${from}`);
        return body.items.length === 1 ? body.items : undefined;
      });
      assert.equal(b[0].temperatureC, 2.5);
      const unbound = await app.request(`/api/v1/devices/${device}/unbind`, json('POST', {}));
      assert.equal(unbound.status, 200);
      assert.equal((await app.request(`/api/v1/devices/${device}`)).body.containerId, undefined);
    });
  });
