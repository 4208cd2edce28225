import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { HTTP_BODY_LIMIT_BYTES } from '#src/http/http-adapter.js';
import { startTestApp, type TestApp } from '#test/support/test-app.js';

const VERBS = ['post', 'put', 'patch', 'delete'];

describe('request bodies: JSON only, and not nested without bound', () => {
  let app: TestApp;
  /** `METHOD /path` of every operation the OpenAPI document gives a request body. */
  let withBody: { method: string; path: string }[];

  before(async () => {
    app = await startTestApp();
    const doc = (await app.request('/api/docs.json', { key: null })).body;
    withBody = Object.entries<Record<string, { requestBody?: unknown }>>(doc.paths).flatMap(([path, item]) =>
      VERBS.filter((m) => item[m]?.requestBody !== undefined).map((method) => ({
        method: method.toUpperCase(),
        path: path.replace(/\{\w+\}/g, 'X-1'),
      })),
    );
  });
  after(() => app.close());

  const expectProblem = (res: { status: number; headers: Headers }, status: number, what: string) => {
    assert.equal(res.status, status, what);
    assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/, what);
  };

  it('refuses a form-encoded POST /containers with 415 and creates nothing', async () => {
    const res = await app.request('/api/v1/containers', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'id=FORM1&kind=reefer&label=x',
    });
    expectProblem(res, 415, 'form body');
    assert.match(res.body.detail, /application\/x-www-form-urlencoded is not accepted: send JSON/);
    assert.equal((await app.request('/api/v1/containers/FORM1')).status, 404);
  });

  it('answers 415 problem+json on every route with a body, for text/plain, forms and no Content-Type', async () => {
    assert.ok(withBody.length >= 20, `${withBody.length} routes with a body`);
    const bodies: { type?: string; body: string | Blob }[] = [
      { type: 'text/plain', body: '{"id":"TXT1","kind":"reefer","label":"x"}' },
      { type: 'application/x-www-form-urlencoded', body: 'id=FORM2&kind=reefer&label=x' },
      { type: 'multipart/form-data; boundary=b', body: '--b\r\n\r\nx\r\n--b--' },
      // A Blob without a type: fetch then sends no Content-Type at all.
      { body: new Blob(['{"id":"NOTYPE1"}']) },
    ];
    for (const { method, path } of withBody) {
      for (const { type, body } of bodies) {
        // fetch itself, as app.request would add `Content-Type: application/json` to a typeless body.
        const headers = new Headers({ authorization: `Bearer ${app.adminKey}`, 'if-match': '*' });
        if (type !== undefined) headers.set('content-type', type);
        const res = await fetch(app.httpUrl + path, { method, headers, body });
        expectProblem(res, 415, `${method} ${path} as ${type ?? 'no Content-Type'}`);
        assert.match(((await res.json()) as { detail: string }).detail, /is not accepted: send JSON/);
      }
    }
  });

  it('still reads application/json and +json types, and an empty JSON body as {}', async () => {
    const created = await app.request('/api/v1/containers', {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ id: 'JSON1', kind: 'reefer', label: 'x' }),
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const empty = await app.request('/api/v1/containers', { method: 'POST', body: '' });
    expectProblem(empty, 400, 'empty JSON body is {} and fails validation');
    assert.ok(
      empty.body.errors.some((e: string) => /^id /.test(e)),
      JSON.stringify(empty.body),
    );
  });

  it('answers 400, not 500, to a body nested 50,000 levels deep, and keeps serving', async () => {
    const arrays = '['.repeat(50_000) + ']'.repeat(50_000);
    const objects = '{"a":'.repeat(16_000) + '1' + '}'.repeat(16_000);
    for (const body of [arrays, objects, `{"id":"DEEP1","kind":"reefer","label":"x","notes":${arrays}}`]) {
      assert.ok(Buffer.byteLength(body) < HTTP_BODY_LIMIT_BYTES, 'under the body limit');
      const res = await app.request('/api/v1/containers', { method: 'POST', body });
      expectProblem(res, 400, `nested body of ${body.length} bytes`);
      assert.match(res.body.detail, /nests objects or arrays deeper than 32 levels/);
    }
    assert.equal((await app.request('/api/v1/containers/JSON1')).status, 200);
  });
});
