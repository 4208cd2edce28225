import type { FastifyInstance } from 'fastify';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '#test/support/test-app.js';

type Operation = {
  summary?: string;
  security?: Record<string, string[]>[];
  responses: Record<string, unknown>;
};

/** The routes of this issue, as `METHOD /path` (the OpenAPI spelling of parameters). */
const ROUTES = [
  'GET /health',
  'GET /health/live',
  'GET /health/ready',
  'GET /metrics',
  'GET /api/v1/rejections',
  'GET /api/v1/devices/{id}/rejections',
  'POST /api/v1/keys',
  'GET /api/v1/keys',
  'GET /api/v1/keys/{id}',
  'DELETE /api/v1/keys/{id}',
  'POST /api/v1/sites',
  'GET /api/v1/sites',
  'GET /api/v1/sites/{id}',
  'PATCH /api/v1/sites/{id}',
  'DELETE /api/v1/sites/{id}',
  'POST /api/v1/containers',
  'GET /api/v1/containers',
  'GET /api/v1/containers/{id}',
  'PATCH /api/v1/containers/{id}',
  'DELETE /api/v1/containers/{id}',
  'GET /api/v1/containers/{id}/readings',
  'POST /api/v1/devices',
  'GET /api/v1/devices',
  'GET /api/v1/devices/{id}',
  'PATCH /api/v1/devices/{id}',
  'DELETE /api/v1/devices/{id}',
  'POST /api/v1/devices/{id}/bind',
  'POST /api/v1/devices/{id}/unbind',
  'GET /api/v1/devices/{id}/bindings',
  'POST /api/v1/profiles',
  'GET /api/v1/profiles',
  'GET /api/v1/profiles/{id}',
  'PATCH /api/v1/profiles/{id}',
  'DELETE /api/v1/profiles/{id}',
  'POST /api/v1/shipments',
  'GET /api/v1/shipments',
  'GET /api/v1/shipments/{id}',
  'PATCH /api/v1/shipments/{id}',
  'POST /api/v1/shipments/{id}/status',
  'DELETE /api/v1/shipments/{id}',
  'POST /api/v1/admin/import',
];
const PUBLIC = new Set(['GET /health', 'GET /health/live', 'GET /health/ready']);

const VERBS = new Set(['get', 'post', 'put', 'patch', 'delete']);

/**
 * `METHOD /path` of every route the HTTP server serves, `:id` spelled `{id}`; without the Swagger
 * UI's own files, the catch-all routes (all methods at once) and the HEAD twin of each GET.
 * Read from Fastify's route tree (`printRoutes`), one node a line, each nested under its parent.
 */
function servedRoutes(app: TestApp): string[] {
  const server = app.running.app.getHttpAdapter().getInstance() as FastifyInstance;
  const parents: string[] = [];
  const out: string[] = [];
  for (const line of server.printRoutes({ commonPrefix: false }).split('\n')) {
    const node = /^([│ ]*)[├└]── (\S+)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!node) continue;
    const depth = node[1].length / 4;
    const path = (parents[depth - 1] ?? '') + node[2];
    parents[depth] = path;
    const methods = (node[3] ?? '').split(', ').filter((m) => VERBS.has(m.toLowerCase()));
    if (path.startsWith('/api/docs') || path.includes('*') || methods.length === VERBS.size) continue;
    for (const method of methods) out.push(`${method} ${path.replace(/:(\w+)/g, '{$1}')}`);
  }
  return [...new Set(out)];
}

describe('OpenAPI document', () => {
  let app: TestApp;
  let doc: any;
  const operations = new Map<string, Operation>();

  before(async () => {
    app = await startTestApp();
    const res = await app.request('/api/docs.json', { key: null });
    assert.equal(res.status, 200);
    doc = res.body;
    for (const [path, item] of Object.entries<Record<string, Operation>>(doc.paths)) {
      for (const [method, op] of Object.entries(item)) operations.set(`${method.toUpperCase()} ${path}`, op);
    }
  });
  after(() => app.close());

  it('is OpenAPI 3 with a bearer security scheme', () => {
    assert.match(doc.openapi, /^3\.\d+\.\d+$/);
    assert.equal(doc.components.securitySchemes.bearer.type, 'http');
    assert.equal(doc.components.securitySchemes.bearer.scheme, 'bearer');
  });

  it('lists exactly the routes the HTTP server serves, each with a summary', () => {
    const served = servedRoutes(app);
    assert.deepEqual([...operations.keys()].sort(), served.sort());
    for (const route of ROUTES) assert.ok(operations.has(route), `${route} is documented`);
    for (const route of ROUTES) assert.ok(operations.get(route)!.summary, `${route} has a summary`);
  });

  it('declares bearer security and the 401/403/429 answers on every non-public route', () => {
    for (const [route, op] of operations) {
      if (PUBLIC.has(route)) {
        assert.deepEqual(op.security, [], `${route} is public`);
        continue;
      }
      assert.deepEqual(op.security, [{ bearer: [] }], `${route} declares bearer`);
      for (const status of ['401', '403', '429'])
        assert.ok(op.responses[status], `${route} declares ${status}`);
    }
  });

  it('documents DTO fields with descriptions and units', () => {
    const schemas = doc.components.schemas;
    assert.match(schemas.SiteDto.properties.lat.description, /degrees/);
    assert.match(schemas.GeofenceDto.properties.radiusM.description, /metres/);
    assert.match(schemas.TemperatureBandDto.properties.maxC.description, /°C/);
    assert.deepEqual(schemas.CreateApiKeyDto.required.sort(), ['name', 'role']);
    assert.ok(operations.get('PATCH /api/v1/sites/{id}')!.responses['412'], 'PATCH declares 412');
  });

  it('serves the UI without a key', async () => {
    const res = await app.request('/api/docs', { key: null });
    assert.equal(res.status, 200);
    assert.match(String(res.body), /swagger/i);
  });
});
