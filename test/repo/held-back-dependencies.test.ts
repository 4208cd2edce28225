import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { FileTypeValidator } from '@nestjs/common';

/**
 * package.json `overrides` hold four dependencies of dependencies one major back, so that they
 * run on Node 20 (node-engines.test.ts). Each is called here the way its dependant calls it, so an
 * override to a version with another API fails here rather than in production.
 */
const require = createRequire(import.meta.url);
/** A package as the dependant resolves it (the override may be nested under it). */
function dependencyOf<T>(dependant: string, name: string): T {
  return require(require.resolve(name, { paths: [require.resolve(dependant)] })) as T;
}

describe('dependencies held back for Node 20', () => {
  it('content-disposition: `create(filename)`, as @fastify/static’s reply.download() calls it', () => {
    const { create } = dependencyOf<{ create: (name: string) => string }>(
      '@fastify/static',
      'content-disposition',
    );
    assert.equal(
      create('relevé été.csv'),
      `attachment; filename="relev? ?t?.csv"; filename*=UTF-8''relev%C3%A9%20%C3%A9t%C3%A9.csv`,
    );
  });

  it('cookie: `stringifySetCookie({name, value})`, as light-my-request’s inject({cookies}) calls it', async () => {
    type Inject = (
      dispatch: (req: { headers: Record<string, string> }, res: { end(body: string): void }) => void,
      options: { url: string; cookies: Record<string, string> },
    ) => Promise<{ payload: string }>;
    const inject = dependencyOf<Inject>('fastify', 'light-my-request');
    const res = await inject((req, reply) => reply.end(req.headers.cookie ?? ''), {
      url: '/',
      cookies: { session: 'a b', lang: 'fr' },
    });
    assert.equal(res.payload, 'session=a%20b; lang=fr');
  });

  it('file-type: `fileTypeFromBuffer`, as Nest’s FileTypeValidator imports it', async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex');
    const validator = new FileTypeValidator({ fileType: 'image/png' });
    assert.equal(await validator.isValid({ mimetype: 'image/png', buffer: png } as never), true);
    const text = Buffer.from('temperatureC,measuredAt\n3.2,2026-12-07T03:00:00Z\n');
    assert.equal(await validator.isValid({ mimetype: 'image/png', buffer: text } as never), false);
  });

  it('@nats-io/nuid: `nuid.next()` and `new Nuid()`, as @nats-io/nats-core re-exports and calls them', () => {
    const { nuid, Nuid } = dependencyOf<{ nuid: { next(): string }; Nuid: new () => { next(): string } }>(
      '@nats-io/nats-core',
      '@nats-io/nuid',
    );
    const ids = [nuid.next(), nuid.next(), new Nuid().next()];
    for (const id of ids) assert.match(id, /^[0-9A-Za-z]{22}$/);
    assert.equal(new Set(ids).size, 3);
  });
});
