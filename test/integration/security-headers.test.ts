// REST hardening at the HTTP shell (HOSTILE-INPUTS K8, K9; OWASP API8, API9): security headers on
// every answer, no framework fingerprint, CORS closed unless allow-listed, no method override,
// unknown and old paths answered 404 problem+json.
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '#src/app-settings.js';
import { HTTP_BODY_LIMIT_BYTES, HTTP_REQUEST_TIMEOUT_MS } from '#src/http/http-adapter.js';
import { startTestApp, type TestApp } from '#test/support/test-app.js';

const EVIL = 'https://evil.example';
const OPS = 'https://ops.example:8443';

void describe('security headers and the HTTP shell', () => {
  let app: TestApp;

  before(async () => {
    app = await startTestApp();
  });
  after(() => app.close());

  const raw = (path: string, init: RequestInit = {}) => fetch(app.httpUrl + path, init);
  const bearer = () => ({ authorization: `Bearer ${app.adminKey}` });

  const answers: { what: string; send: () => Promise<Response> }[] = [
    { what: 'GET /health (public)', send: () => raw('/health') },
    { what: 'GET /api/v1/sites (200)', send: () => raw('/api/v1/sites', { headers: bearer() }) },
    { what: 'GET /api/v1/sites without key (401)', send: () => raw('/api/v1/sites') },
    {
      what: 'POST /api/v1/sites invalid (400)',
      send: () =>
        raw('/api/v1/sites', {
          method: 'POST',
          headers: { ...bearer(), 'content-type': 'application/json' },
          body: '{"x":1}',
        }),
    },
    {
      what: 'GET /api/v1/nowhere (404 under the prefix)',
      send: () => raw('/api/v1/nowhere', { headers: bearer() }),
    },
    { what: 'GET /debug (404 outside the prefix)', send: () => raw('/debug') },
    { what: 'GET /metrics', send: () => raw('/metrics', { headers: bearer() }) },
    { what: 'GET /api/docs (Swagger UI)', send: () => raw('/api/docs') },
    {
      what: 'a URL that does not decode (400 from the router)',
      send: () => raw('/api/v1/sites/%E0%A4%A', { headers: bearer() }),
    },
  ];

  for (const { what, send } of answers) {
    void it(`sends the security headers on ${what}`, async () => {
      const res = await send();
      await res.arrayBuffer();
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(res.headers.get('x-frame-options'), 'DENY');
      assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
      assert.equal(res.headers.get('cache-control'), 'no-store');
      assert.match(res.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
      assert.equal(res.headers.get('x-powered-by'), null, 'no framework fingerprint');
      assert.equal(res.headers.get('strict-transport-security'), null, 'HSTS only over TLS (RFC 6797 §7.2)');
    });
  }

  void it('gives API answers a CSP that allows nothing to load', async () => {
    const res = await raw('/api/v1/sites', { headers: bearer() });
    assert.match(res.headers.get('content-security-policy') ?? '', /^default-src 'none'/);
  });

  void it('lets the Swagger UI load under its CSP: same-origin scripts only, no inline script', async () => {
    const res = await raw('/api/docs');
    const html = await res.text();
    const csp = res.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /style-src 'self' 'unsafe-inline'/);
    assert.match(csp, /img-src 'self' data:/);
    assert.doesNotMatch(html, /<script(?![^>]*\ssrc=)[^>]*>/i, 'an inline <script> would be blocked');
    const assets = [...html.matchAll(/<(?:script|link)[^>]+(?:src|href)=["']([^"']+)["']/gi)].map(
      (m) => m[1],
    );
    assert.ok(
      assets.some((a) => a.endsWith('swagger-ui-bundle.js')),
      'the bundle is referenced',
    );
    for (const asset of assets) {
      assert.doesNotMatch(asset, /^(https?:)?\/\//, `${asset} must come from our own origin`);
      const loaded = await raw(new URL(asset, `${app.httpUrl}/api/docs/`).pathname);
      await loaded.arrayBuffer();
      assert.equal(loaded.status, 200, `${asset} is served`);
    }
    const init = await (await raw('/api/docs/swagger-ui-init.js')).text();
    assert.match(init, /"openapi"/, 'the document is inlined in the init script: no extra fetch needed');
  });

  void it('sends no CORS header to another origin, on a request or a preflight', async () => {
    const get = await raw('/api/v1/sites', { headers: { ...bearer(), origin: EVIL } });
    await get.arrayBuffer();
    assert.equal(get.status, 200);
    assert.equal(get.headers.get('access-control-allow-origin'), null);
    const preflight = await raw('/api/v1/sites/DC-LYON-SQF', {
      method: 'OPTIONS',
      headers: {
        origin: EVIL,
        'access-control-request-method': 'DELETE',
        'access-control-request-headers': 'authorization',
      },
    });
    await preflight.arrayBuffer();
    assert.equal(preflight.headers.get('access-control-allow-origin'), null);
    assert.equal(preflight.headers.get('access-control-allow-methods'), null);
    assert.equal(preflight.headers.get('access-control-allow-credentials'), null);
  });

  void it('ignores X-HTTP-Method-Override: a GET or POST carrying DELETE deletes nothing', async () => {
    const site = '/api/v1/sites/DC-LYON-SQF';
    for (const header of ['x-http-method-override', 'x-method-override', 'x-http-method']) {
      const get = await app.request(site, { headers: { [header]: 'DELETE' } });
      assert.equal(get.status, 200, `GET with ${header} stays a GET`);
      assert.equal(get.body.id, 'DC-LYON-SQF');
      const post = await app.request(site, { method: 'POST', headers: { [header]: 'DELETE' }, body: '{}' });
      assert.equal(post.status, 404, `POST with ${header} is a POST, and no POST route is there`);
    }
    assert.equal((await app.request(site)).status, 200, 'the site still exists');
  });

  void it('answers what the router refuses and an oversized body with problem+json', async () => {
    const badUrl = await app.request('/api/v1/sites/%E0%A4%A');
    assert.equal(badUrl.status, 400);
    assert.match(badUrl.headers.get('content-type') ?? '', /^application\/problem\+json/);
    assert.match(badUrl.body.detail, /not a valid url component/);
    const big = await app.request('/api/v1/sites', {
      method: 'POST',
      body: JSON.stringify({ id: 'S-BIG', name: 'x'.repeat(HTTP_BODY_LIMIT_BYTES) }),
    });
    assert.equal(big.status, 413);
    assert.match(big.headers.get('content-type') ?? '', /^application\/problem\+json/);
    assert.equal(big.body.title, 'Payload too large');
    assert.doesNotMatch(JSON.stringify([badUrl.body, big.body]), /FST_|fastify/i);
  });

  void it('bounds how long a client may take to send a request (Fastify would not by default)', () => {
    const server = app.running.app.getHttpServer() as Server;
    assert.equal(server.requestTimeout, HTTP_REQUEST_TIMEOUT_MS);
    assert.ok(server.headersTimeout <= server.requestTimeout, 'Node refuses a longer header timeout');
  });

  void it('takes an empty body sent as application/json as no body (clients send the header on DELETE)', async () => {
    const res = await app.request('/api/v1/sites/NO-SUCH-SITE', {
      method: 'DELETE',
      headers: { 'content-type': 'application/json', 'if-match': '"stale"' },
    });
    assert.equal(res.status, 404, 'the route ran: the site is unknown, the body was not refused');
    assert.equal(res.body.code, 'fleet.site-not-found');
  });

  void it('reads a +json body (JSON Merge Patch) as JSON, and refuses other types with 415', async () => {
    const site = '/api/v1/sites/DC-LYON-SQF';
    const etag = (await app.request(site)).headers.get('etag')!;
    const patched = await app.request(site, {
      method: 'PATCH',
      headers: { 'content-type': 'application/merge-patch+json; charset=utf-8', 'if-match': etag },
      body: JSON.stringify({ address: 'ZAC de Chesnes, 38070 Saint-Quentin-Fallavier' }),
    });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    assert.equal(patched.body.address, 'ZAC de Chesnes, 38070 Saint-Quentin-Fallavier');
    const xml = await app.request(site, {
      method: 'PATCH',
      headers: { 'content-type': 'application/vnd.convoi+xml', 'if-match': patched.headers.get('etag')! },
      body: '<site/>',
    });
    assert.equal(xml.status, 415);
    assert.match(xml.headers.get('content-type') ?? '', /^application\/problem\+json/);
  });

  const probes = [
    '/v0/sites',
    '/api/v0/sites',
    '/api-docs',
    '/swagger.json',
    '/debug',
    '/api/v1/debug',
    '/.env',
    '/actuator/health',
    '/admin',
  ];
  for (const path of probes) {
    void it(`answers ${path} with 404 problem+json, with or without a key`, async () => {
      for (const key of [app.adminKey, null]) {
        const res = await app.request(path, { key });
        assert.equal(res.status, 404);
        assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
        assert.equal(res.body.status, 404);
        assert.equal(res.body.title, 'Not found');
        assert.equal(res.body.instance, path);
        assert.doesNotMatch(JSON.stringify(res.body), /express|fastify|FST_|nest|stack|at \w+ \(/i);
      }
    });
  }
});

void describe('CORS allow-list (CORS_ORIGINS)', () => {
  let app: TestApp;

  before(async () => {
    app = await startTestApp({ env: { CORS_ORIGINS: `${OPS}, https://grafana.example` } });
  });
  after(() => app.close());

  void it('answers an allowed origin exactly, without credentials, and still not another', async () => {
    const ok = await app.request('/api/v1/sites', { headers: { origin: OPS } });
    assert.equal(ok.headers.get('access-control-allow-origin'), OPS);
    assert.equal(ok.headers.get('access-control-allow-credentials'), null);
    assert.match(ok.headers.get('vary') ?? '', /origin/i);
    const evil = await app.request('/api/v1/sites', { headers: { origin: EVIL } });
    assert.equal(evil.headers.get('access-control-allow-origin'), null);
    const preflight = await fetch(`${app.httpUrl}/api/v1/sites`, {
      method: 'OPTIONS',
      headers: {
        origin: OPS,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type',
      },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), OPS);
    assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /authorization/i);
  });

  void it('refuses wildcards, paths and non-HTTP schemes in CORS_ORIGINS at start', () => {
    for (const bad of ['*', 'https://ops.example/app', 'ops.example', 'null', 'https://a.example,*']) {
      assert.throws(() => loadConfig({ CORS_ORIGINS: bad }), /CORS_ORIGINS/, bad);
    }
    assert.equal(loadConfig({ CORS_ORIGINS: 'http://localhost:3001' }).CORS_ORIGINS, 'http://localhost:3001');
  });
});
