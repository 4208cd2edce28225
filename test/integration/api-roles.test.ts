import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '#test/support/test-app.js';

type Role = 'viewer' | 'planner' | 'admin';
const WEAKER: Record<Role, Role | undefined> = { viewer: undefined, planner: 'viewer', admin: 'planner' };

interface RouteRequest {
  path: string;
  method: string;
  body?: unknown;
  headers?: Record<string, string>;
}

interface RouteCase {
  route: string;
  role: Role;
  /** The request, built fresh for each attempt (writes need their own resource). */
  make: (n: number) => RouteRequest | Promise<RouteRequest>;
}

/**
 * Every route of this issue: no key → 401, the next weaker role → 403, its own role → 2xx.
 * The 401 and 403 attempts must not change anything, so the 2xx attempt still succeeds after them.
 */
describe('role matrix of every route', () => {
  let app: TestApp;
  const keys = {} as Record<Role, string>;

  before(async () => {
    app = await startTestApp();
    for (const role of ['viewer', 'planner'] as const) {
      const res = await app.request('/api/v1/keys', {
        method: 'POST',
        body: JSON.stringify({ name: role, role }),
      });
      keys[role] = res.body.key;
    }
    keys.admin = app.adminKey;
  });
  after(() => app.close());

  const admin = (path: string, method = 'GET', body?: unknown, headers?: Record<string, string>) =>
    app.request(path, { method, body: body === undefined ? undefined : JSON.stringify(body), headers });
  const etag = async (path: string) => (await admin(path)).headers.get('etag')!;
  const container = async (id: string) => {
    await admin('/api/v1/containers', 'POST', { id, kind: 'pallet', label: id });
    return id;
  };
  const shipment = async (n: number) => {
    const c = await container(`RM-SC-${n}`);
    const res = await admin('/api/v1/shipments', 'POST', {
      containerId: c,
      originSiteId: 'DC-LYON-SQF',
      destinationSiteId: 'HM-LILLE-V2',
      profileId: 'frozen',
      plannedDeparture: '2026-11-22T06:00:00Z',
      plannedArrival: '2026-11-22T18:00:00Z',
    });
    return res.body.id as string;
  };
  const withEtag = async (path: string, method: string, body?: unknown) => ({
    path,
    method,
    body,
    headers: { 'if-match': await etag(path) },
  });

  const cases: RouteCase[] = [
    { route: 'GET /sites', role: 'viewer', make: () => ({ path: '/api/v1/sites', method: 'GET' }) },
    {
      route: 'GET /sites/:id',
      role: 'viewer',
      make: () => ({ path: '/api/v1/sites/DC-LYON-SQF', method: 'GET' }),
    },
    {
      route: 'POST /sites',
      role: 'planner',
      make: (n) => ({
        path: '/api/v1/sites',
        method: 'POST',
        body: {
          id: `RM-S-${n}`,
          name: 's',
          kind: 'supermarket',
          lat: 1,
          lon: 1,
          geofence: { type: 'circle', radiusM: 50 },
        },
      }),
    },
    {
      route: 'PATCH /sites/:id',
      role: 'planner',
      make: async () => withEtag('/api/v1/sites/HM-LILLE-V2', 'PATCH', { address: 'V2' }),
    },
    {
      route: 'DELETE /sites/:id',
      role: 'planner',
      make: async (n) => {
        await admin('/api/v1/sites', 'POST', {
          id: `RM-D-${n}`,
          name: 's',
          kind: 'hub',
          lat: 1,
          lon: 1,
          geofence: { type: 'circle', radiusM: 50 },
        });
        return withEtag(`/api/v1/sites/RM-D-${n}`, 'DELETE');
      },
    },
    {
      route: 'GET /containers',
      role: 'viewer',
      make: () => ({ path: '/api/v1/containers', method: 'GET' }),
    },
    {
      route: 'GET /containers/:id',
      role: 'viewer',
      make: () => ({ path: '/api/v1/containers/REEFER-001', method: 'GET' }),
    },
    {
      route: 'GET /containers/:id/readings',
      role: 'viewer',
      make: () => ({ path: '/api/v1/containers/REEFER-001/readings', method: 'GET' }),
    },
    {
      route: 'POST /containers',
      role: 'planner',
      make: (n) => ({
        path: '/api/v1/containers',
        method: 'POST',
        body: { id: `RM-C-${n}`, kind: 'dry-box', label: 'c' },
      }),
    },
    {
      route: 'PATCH /containers/:id',
      role: 'planner',
      make: async (n) =>
        withEtag(`/api/v1/containers/${await container(`RM-P-${n}`)}`, 'PATCH', { notes: 'n' }),
    },
    {
      route: 'DELETE /containers/:id',
      role: 'planner',
      make: async (n) => withEtag(`/api/v1/containers/${await container(`RM-X-${n}`)}`, 'DELETE'),
    },
    { route: 'GET /devices', role: 'viewer', make: () => ({ path: '/api/v1/devices', method: 'GET' }) },
    {
      route: 'GET /devices/:id',
      role: 'viewer',
      make: () => ({ path: '/api/v1/devices/sensor-reefer-001', method: 'GET' }),
    },
    {
      route: 'GET /devices/:id/bindings',
      role: 'viewer',
      make: () => ({ path: '/api/v1/devices/sensor-reefer-001/bindings', method: 'GET' }),
    },
    {
      route: 'POST /devices',
      role: 'planner',
      make: (n) => ({
        path: '/api/v1/devices',
        method: 'POST',
        body: { id: `rm-dev-${n}`, format: 'json' },
      }),
    },
    {
      route: 'PATCH /devices/:id',
      role: 'planner',
      make: async (n) => {
        await admin('/api/v1/devices', 'POST', { id: `rm-pd-${n}`, format: 'json' });
        return withEtag(`/api/v1/devices/rm-pd-${n}`, 'PATCH', { model: 'm' });
      },
    },
    {
      route: 'DELETE /devices/:id',
      role: 'planner',
      make: async (n) => {
        await admin('/api/v1/devices', 'POST', { id: `rm-dd-${n}`, format: 'json' });
        return withEtag(`/api/v1/devices/rm-dd-${n}`, 'DELETE');
      },
    },
    {
      route: 'POST /devices/:id/bind',
      role: 'planner',
      make: async (n) => {
        await admin('/api/v1/devices', 'POST', { id: `rm-bd-${n}`, format: 'json' });
        return {
          path: `/api/v1/devices/rm-bd-${n}/bind`,
          method: 'POST',
          body: { containerId: 'REEFER-002' },
        };
      },
    },
    {
      route: 'POST /devices/:id/unbind',
      role: 'planner',
      make: async (n) => {
        await admin('/api/v1/devices', 'POST', { id: `rm-ub-${n}`, format: 'json' });
        await admin(`/api/v1/devices/rm-ub-${n}/bind`, 'POST', {
          containerId: 'REEFER-002',
          at: new Date(Date.now() - 60_000).toISOString(),
        });
        return { path: `/api/v1/devices/rm-ub-${n}/unbind`, method: 'POST', body: {} };
      },
    },
    {
      route: 'GET /profiles',
      role: 'viewer',
      make: () => ({ path: '/api/v1/profiles', method: 'GET' }),
    },
    {
      route: 'GET /profiles/:id',
      role: 'viewer',
      make: () => ({ path: '/api/v1/profiles/chilled-4', method: 'GET' }),
    },
    {
      route: 'POST /profiles',
      role: 'planner',
      make: (n) => ({
        path: '/api/v1/profiles',
        method: 'POST',
        body: { id: `rm-p-${n}`, name: 'p', temperature: { maxC: 5 } },
      }),
    },
    {
      route: 'PATCH /profiles/:id',
      role: 'planner',
      make: async (n) => {
        await admin('/api/v1/profiles', 'POST', { id: `rm-pp-${n}`, name: 'p', temperature: { maxC: 5 } });
        return withEtag(`/api/v1/profiles/rm-pp-${n}`, 'PATCH', { shockLimitG: 4 });
      },
    },
    {
      route: 'DELETE /profiles/:id',
      role: 'planner',
      make: async (n) => {
        await admin('/api/v1/profiles', 'POST', { id: `rm-pd-${n}`, name: 'p', temperature: { maxC: 5 } });
        return withEtag(`/api/v1/profiles/rm-pd-${n}`, 'DELETE');
      },
    },
    {
      route: 'GET /shipments',
      role: 'viewer',
      make: () => ({ path: '/api/v1/shipments', method: 'GET' }),
    },
    {
      route: 'GET /shipments/:id',
      role: 'viewer',
      make: async (n) => ({ path: `/api/v1/shipments/${await shipment(n)}`, method: 'GET' }),
    },
    {
      route: 'POST /shipments',
      role: 'planner',
      make: async (n) => ({
        path: '/api/v1/shipments',
        method: 'POST',
        body: {
          containerId: await container(`RM-NS-${n}`),
          originSiteId: 'DC-PARIS-RUNGIS',
          destinationSiteId: 'HM-PARIS-VILLIERS',
          profileId: 'chilled-2',
          plannedDeparture: '2026-11-23T06:00:00Z',
          plannedArrival: '2026-11-23T08:00:00Z',
        },
      }),
    },
    {
      route: 'PATCH /shipments/:id',
      role: 'planner',
      make: async (n) => withEtag(`/api/v1/shipments/${await shipment(n)}`, 'PATCH', { carrier: 'c' }),
    },
    {
      route: 'POST /shipments/:id/status',
      role: 'planner',
      make: async (n) => ({
        path: `/api/v1/shipments/${await shipment(n)}/status`,
        method: 'POST',
        body: { status: 'in_transit' },
      }),
    },
    {
      route: 'DELETE /shipments/:id',
      role: 'planner',
      make: async (n) => withEtag(`/api/v1/shipments/${await shipment(n)}`, 'DELETE'),
    },
    {
      route: 'POST /keys',
      role: 'admin',
      make: (n) => ({ path: '/api/v1/keys', method: 'POST', body: { name: `k${n}`, role: 'viewer' } }),
    },
    { route: 'GET /keys', role: 'admin', make: () => ({ path: '/api/v1/keys', method: 'GET' }) },
    {
      route: 'GET /keys/:id',
      role: 'admin',
      make: async (n) => ({
        path: `/api/v1/keys/${(await admin('/api/v1/keys', 'POST', { name: `g${n}`, role: 'viewer' })).body.id}`,
        method: 'GET',
      }),
    },
    {
      route: 'DELETE /keys/:id',
      role: 'admin',
      make: async (n) => ({
        path: `/api/v1/keys/${(await admin('/api/v1/keys', 'POST', { name: `d${n}`, role: 'viewer' })).body.id}`,
        method: 'DELETE',
      }),
    },
    {
      route: 'POST /admin/import',
      role: 'admin',
      make: () => ({ path: '/api/v1/admin/import', method: 'POST', body: {} }),
    },
    { route: 'GET /metrics', role: 'admin', make: () => ({ path: '/metrics', method: 'GET' }) },
  ];

  let n = 0;
  for (const c of cases) {
    it(`${c.route}: no key 401, ${WEAKER[c.role] ?? 'no'} weaker role 403, ${c.role} 2xx`, async () => {
      const req = await c.make(++n);
      const send = (key: string | null) =>
        app.request(req.path, {
          method: req.method,
          key,
          headers: req.headers,
          body: req.body === undefined ? undefined : JSON.stringify(req.body),
        });
      assert.equal((await send(null)).status, 401);
      const weaker = WEAKER[c.role];
      if (weaker) {
        const denied = await send(keys[weaker]);
        assert.equal(denied.status, 403);
        assert.equal(denied.body.code, 'auth.forbidden');
      }
      const ok = await send(keys[c.role]);
      assert.ok(
        ok.status >= 200 && ok.status < 300,
        `${c.route} as ${c.role}: ${ok.status} ${JSON.stringify(ok.body)}`,
      );
    });
  }
});
