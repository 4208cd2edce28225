// REST hardening of the API itself (HOSTILE-INPUTS K3, K4; OWASP API1, API4, API5): no existence
// oracle across roles, and bounded page sizes and time ranges on every list route.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '#test/support/test-app.js';

type Role = 'viewer' | 'planner';

/** Ids that exist in the example fleet, for the path parameters of the routes below. */
const EXISTING = { site: 'DC-LYON-SQF', container: 'REEFER-001', device: 'sensor-reefer-001' };

/** List routes whose `limit` the OpenAPI document does not describe, with their maximum. */
const UNDOCUMENTED_LIMITS: Record<string, number> = {
  '/api/v1/alerts': 500,
  '/api/v1/rejections': 1000,
  '/api/v1/devices/{id}/rejections': 1000,
  '/api/v1/containers/{id}/readings': 10_000,
};

void describe('no existence oracle across roles', () => {
  let app: TestApp;
  const keys = {} as Record<Role, string>;

  before(async () => {
    app = await startTestApp();
    await app.request('/api/v1/admin/integrations', {
      method: 'POST',
      body: JSON.stringify({ name: 'ops-view', kind: 'operator' }),
    });
    for (const role of ['viewer', 'planner'] as const) {
      keys[role] = (
        await app.request('/api/v1/keys', { method: 'POST', body: JSON.stringify({ name: role, role }) })
      ).body.key;
    }
  });
  after(() => app.close());

  /** The answer minus `instance` (which echoes the path, so it differs by construction). */
  const answer = async (role: Role | null, method: string, path: string, body?: unknown) => {
    const res = await app.request(path, {
      method,
      key: role === null ? null : keys[role],
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const { instance: _instance, ...rest } = (res.body ?? {}) as Record<string, unknown>;
    return { status: res.status, body: rest };
  };

  // Each pair: an existing resource and an unknown one, asked by a caller the route refuses.
  const pairs: {
    who: Role | null;
    method: string;
    existing: string;
    unknown: string;
    body?: unknown;
    status: number;
  }[] = [
    {
      who: null,
      method: 'GET',
      existing: `/api/v1/devices/${EXISTING.device}`,
      unknown: '/api/v1/devices/ghost-1',
      status: 401,
    },
    {
      who: null,
      method: 'GET',
      existing: `/api/v1/containers/${EXISTING.container}/readings`,
      unknown: '/api/v1/containers/GHOST-1/readings',
      status: 401,
    },
    {
      who: 'viewer',
      method: 'DELETE',
      existing: `/api/v1/sites/${EXISTING.site}`,
      unknown: '/api/v1/sites/GHOST-1',
      status: 403,
    },
    {
      who: 'viewer',
      method: 'PATCH',
      existing: `/api/v1/containers/${EXISTING.container}`,
      unknown: '/api/v1/containers/GHOST-1',
      body: { label: 'x' },
      status: 403,
    },
    {
      who: 'viewer',
      method: 'POST',
      existing: `/api/v1/devices/${EXISTING.device}/credentials`,
      unknown: '/api/v1/devices/ghost-1/credentials',
      status: 403,
    },
    {
      who: 'planner',
      method: 'POST',
      existing: `/api/v1/devices/${EXISTING.device}/credentials`,
      unknown: '/api/v1/devices/ghost-1/credentials',
      status: 403,
    },
    {
      who: 'planner',
      method: 'DELETE',
      existing: `/api/v1/devices/${EXISTING.device}/credentials`,
      unknown: '/api/v1/devices/ghost-1/credentials',
      status: 403,
    },
    {
      who: 'planner',
      method: 'DELETE',
      existing: '/api/v1/admin/integrations/ops-view',
      unknown: '/api/v1/admin/integrations/ghost-1',
      status: 403,
    },
  ];
  for (const p of pairs) {
    void it(`${p.who ?? 'no key'}: ${p.method} on an existing and an unknown id answer the same ${p.status}`, async () => {
      const known = await answer(p.who, p.method, p.existing, p.body);
      const ghost = await answer(p.who, p.method, p.unknown, p.body);
      assert.equal(known.status, p.status);
      assert.deepEqual(ghost, known);
    });
  }

  void it('refused attempts changed nothing', async () => {
    assert.equal((await app.request(`/api/v1/sites/${EXISTING.site}`)).status, 200);
    assert.equal((await app.request(`/api/v1/containers/${EXISTING.container}`)).body.label !== 'x', true);
    assert.equal((await app.request(`/api/v1/devices/${EXISTING.device}`)).status, 200);
    const again = await app.request('/api/v1/admin/integrations', {
      method: 'POST',
      body: JSON.stringify({ name: 'ops-view', kind: 'operator' }),
    });
    assert.equal(again.status, 409, 'the integration a planner tried to delete is still there');
  });

  void it('a viewer learns of an unknown id only what listing already shows: 404 for what it may read', async () => {
    const listed = await app.request('/api/v1/devices?limit=500', { key: keys.viewer });
    assert.equal(listed.status, 200, 'viewers may list every device');
    assert.ok(!(listed.body.items as { id: string }[]).some((d) => d.id === 'ghost-1'));
    assert.equal((await app.request('/api/v1/devices/ghost-1', { key: keys.viewer })).status, 404);
  });
});

void describe('bounded page sizes and ranges on every list route', () => {
  let app: TestApp;
  let routes: { path: string; max: number }[] = [];

  before(async () => {
    app = await startTestApp();
    const doc = (await app.request('/api/docs.json')).body as {
      paths: Record<
        string,
        Record<string, { parameters?: { in: string; name: string; schema?: { maximum?: number } }[] }>
      >;
    };
    for (const [path, operations] of Object.entries(doc.paths)) {
      const limit = operations.get?.parameters?.find((p) => p.in === 'query' && p.name === 'limit');
      if (limit) routes.push({ path, max: limit.schema?.maximum ?? NaN });
    }
    for (const [path, max] of Object.entries(UNDOCUMENTED_LIMITS)) {
      if (!routes.some((r) => r.path === path)) routes.push({ path, max });
    }
    routes = routes.sort((a, b) => a.path.localeCompare(b.path));
  });
  after(() => app.close());

  const concrete = (path: string) =>
    path
      .replace('/sites/{id}', `/sites/${EXISTING.site}`)
      .replace('/containers/{id}', `/containers/${EXISTING.container}`)
      .replace('/devices/{id}', `/devices/${EXISTING.device}`);

  void it('finds the list routes (the table below is not empty by accident)', () => {
    const paths = routes.map((r) => r.path);
    for (const known of [
      '/api/v1/sites',
      '/api/v1/containers',
      '/api/v1/devices',
      '/api/v1/shipments',
      '/api/v1/keys',
      '/api/v1/audit',
      '/api/v1/alerts',
    ])
      assert.ok(paths.includes(known), `${known} is a list route`);
    assert.ok(
      routes.every((r) => Number.isInteger(r.max) && r.max <= 10_000),
      JSON.stringify(routes),
    );
  });

  void it('answers limit=1e9, 0, -1, 2.5, abc and max+1 with 400 problem+json, and max with 200', async () => {
    const failures: string[] = [];
    for (const { path, max } of routes) {
      const url = concrete(path);
      for (const limit of ['1000000000', '1e9', '0', '-1', '2.5', 'abc', String(max + 1)]) {
        const res = await app.request(`${url}?limit=${limit}`);
        const problem = res.headers.get('content-type')?.startsWith('application/problem+json');
        if (res.status !== 400 || !problem) failures.push(`${url}?limit=${limit} → ${res.status}`);
      }
      const ok = await app.request(`${url}?limit=${max}`);
      if (ok.status !== 200) failures.push(`${url}?limit=${max} → ${ok.status} ${JSON.stringify(ok.body)}`);
    }
    assert.deepEqual(failures, []);
  });

  void it('refuses a readings range over 400 days, an inverted one, and too many buckets', async () => {
    const readings = `/api/v1/containers/${EXISTING.container}/readings`;
    const cases: [string, string][] = [
      ['from=1970-01-01T00:00:00Z&to=2100-01-01T00:00:00Z', 'fleet.range-too-long'],
      ['from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z', 'fleet.bad-range'],
      ['from=2025-01-01T00:00:00Z&to=2026-01-01T00:00:00Z&every=1m&fn=mean', 'fleet.too-many-buckets'],
    ];
    for (const [query, code] of cases) {
      const res = await app.request(`${readings}?${query}`);
      assert.equal(res.status, 400, query);
      assert.equal(res.body.code, code, query);
    }
  });

  void it('refuses an inverted shipments range', async () => {
    const res = await app.request('/api/v1/shipments?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z');
    assert.equal(res.status, 400);
  });
});
