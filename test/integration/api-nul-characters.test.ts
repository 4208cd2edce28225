// U+0000 in a request body (HOSTILE-INPUTS: control characters in text): PostgreSQL's text cannot
// hold it and refuses the whole statement, which surfaced as a 500 there while SQLite stored it.
// Both stores now answer 400 problem+json naming the field, store nothing, and keep serving; the
// same for %00 in a URL (audit filters and alert ids answered 500 on PostgreSQL).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startAppOnStore, type AppOnStore } from '#test/support/app-on-store.js';
import { STORE_DIALECTS } from '#test/support/store-dialects.js';

for (const dialect of STORE_DIALECTS) {
  describe(`request bodies holding U+0000 (${dialect})`, () => {
    let started: AppOnStore;
    before(async () => {
      started = await startAppOnStore(dialect);
    });
    after(() => started.close());

    it('refuses a container whose label holds NUL with a 400 naming the field, and stores nothing', async () => {
      const { app } = started;
      const res = await app.request('/api/v1/containers', {
        method: 'POST',
        body: JSON.stringify({ id: 'NUL-1', kind: 'reefer', label: 'cold\u0000room' }),
      });
      assert.equal(res.status, 400);
      assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
      assert.match(res.body.detail, /^label holds U\+0000 \(NUL\)/);
      assert.equal((await app.request('/api/v1/containers/NUL-1')).status, 404);
    });

    it('names the entry of a list, and a key holding NUL without echoing it', async () => {
      const { app } = started;
      const inList = await app.request('/api/v1/containers', {
        method: 'POST',
        body: JSON.stringify({ id: 'NUL-2', kind: 'reefer', label: 'x', tags: ['a', 'b\u0000'] }),
      });
      assert.equal(inList.status, 400);
      assert.match(inList.body.detail, /^tags\[1\] holds U\+0000/);
      const inKey = await app.request('/api/v1/containers', {
        method: 'POST',
        body: JSON.stringify({ id: 'NUL-3', kind: 'reefer', label: 'x', ['k\u0000']: 1 }),
      });
      assert.equal(inKey.status, 400);
      assert.match(inKey.body.detail, /^k\\u0000 holds U\+0000/);
    });

    it('answers 400, never 500, to %00 in any GET route’s path segment or query parameter', async () => {
      const { app } = started;
      const doc = (await app.request('/api/docs.json')).body as {
        paths: Record<string, { get?: { parameters?: { name: string; in: string }[] } }>;
      };
      const urls = Object.entries(doc.paths).flatMap(([path, item]) => {
        if (item.get === undefined) return [];
        const plain = path.replace(/\{\w+\}/g, 'X-1');
        const inPath = path.includes('{') ? [path.replace(/\{\w+\}/g, 'a%00b')] : [];
        const inQuery = (item.get.parameters ?? [])
          .filter((p) => p.in === 'query')
          .map((p) => `${plain}?${p.name}=a%00b`);
        return [...inPath, ...inQuery];
      });
      assert.ok(urls.length >= 40, `${urls.length} URLs`);
      for (const url of urls) {
        const res = await app.request(url);
        assert.equal(res.status, 400, url);
        assert.match(res.body.detail, /U\+0000/, url);
      }
    });

    it('still stores the same container without the NUL', async () => {
      const { app } = started;
      const res = await app.request('/api/v1/containers', {
        method: 'POST',
        body: JSON.stringify({ id: 'NUL-1', kind: 'reefer', label: 'cold room' }),
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      assert.equal((await app.request('/api/v1/containers/NUL-1')).body.label, 'cold room');
    });
  });
}
