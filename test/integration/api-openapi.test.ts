import { Validator } from '@seriousme/openapi-schema-validator';
import type { FastifyInstance } from 'fastify';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '#test/support/test-app.js';

type Schema = Record<string, unknown>;
type Content = Record<string, { schema?: Schema }>;
type Operation = {
  summary?: string;
  security?: Record<string, string[]>[];
  parameters?: { name: string; in: string; required?: boolean }[];
  requestBody?: { $ref?: string; content?: Content };
  responses: Record<string, { content?: Content } | undefined>;
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

/**
 * Whether each media type of `content` has a schema that describes something: after `$ref`s, a
 * type other than a bare object, or properties, items, additionalProperties or a composition.
 */
function saysSomething(doc: any, content: Content | undefined): boolean {
  const types = Object.values(content ?? {});
  return types.length > 0 && types.every(({ schema }) => schema !== undefined && describes(doc, schema));
}

function describes(doc: any, schema: Schema): boolean {
  const ref = schema.$ref;
  if (typeof ref === 'string') {
    const target = ref
      .replace(/^#\//, '')
      .split('/')
      .reduce((node: any, key) => node?.[key], doc) as Schema;
    return target !== undefined && describes(doc, target);
  }
  if (['allOf', 'oneOf', 'anyOf'].some((k) => Array.isArray(schema[k]) && (schema[k] as Schema[]).length > 0))
    return true;
  if (schema.type === 'array') return schema.items !== undefined && describes(doc, schema.items as Schema);
  if (schema.type !== undefined && schema.type !== 'object') return true;
  const properties = schema.properties as Schema | undefined;
  return (
    (properties !== undefined && Object.keys(properties).length > 0) ||
    schema.additionalProperties !== undefined
  );
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

  it('is valid OpenAPI 3 for a maintained validator', async () => {
    const validator = new Validator();
    // A copy: the validator may annotate what it is given.
    const result = await validator.validate(structuredClone(doc));
    assert.deepEqual(result.errors ?? [], [], 'no validation errors');
    assert.equal(result.valid, true);
  });

  it('declares every path parameter of every operation, as required', () => {
    const missing: string[] = [];
    for (const [route, op] of operations) {
      for (const [, name] of route.matchAll(/\{(\w+)\}/g)) {
        const param = op.parameters?.find((p) => p.in === 'path' && p.name === name);
        if (param?.required !== true) missing.push(`${route}: ${name}`);
      }
    }
    assert.deepEqual(missing, []);
  });

  it('gives every request body and every 2xx answer with a body a schema that says something', () => {
    const empty: string[] = [];
    for (const [route, op] of operations) {
      if (!Object.keys(op.responses).some((status) => /^2\d\d$/.test(status))) empty.push(`${route}: no 2xx`);
      if (op.requestBody !== undefined && !saysSomething(doc, op.requestBody.content))
        empty.push(`${route} request body`);
      for (const [status, response] of Object.entries(op.responses)) {
        // 204 has no body by definition; 304 and the errors are not 2xx.
        if (!/^2\d\d$/.test(status) || status === '204') continue;
        if (!saysSomething(doc, response?.content)) empty.push(`${route} ${status}`);
      }
    }
    assert.deepEqual(empty, []);
  });

  it('documents the query parameters of GET /containers/{id}/readings', () => {
    const op = operations.get('GET /api/v1/containers/{id}/readings')!;
    const query = (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
    for (const name of ['from', 'to', 'limit', 'every', 'fn']) assert.ok(query.includes(name), name);
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
