import type { LoggerService } from '@nestjs/common';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startAppOnStore, type AppOnStore } from '#test/support/app-on-store.js';
import { STORE_DIALECTS } from '#test/support/store-dialects.js';
import { startTestApp, type TestApp } from '#test/support/test-app.js';

/** Keeps every log line (all levels) so a test can search it. */
class CapturingLogger implements LoggerService {
  readonly lines: string[] = [];
  private add(level: string, message: unknown, rest: unknown[]) {
    this.lines.push(
      `${level} ${[message, ...rest].map((m) => (typeof m === 'string' ? m : JSON.stringify(m))).join(' ')}`,
    );
  }
  log(m: unknown, ...r: unknown[]) {
    this.add('log', m, r);
  }
  error(m: unknown, ...r: unknown[]) {
    this.add('error', m, r);
  }
  warn(m: unknown, ...r: unknown[]) {
    this.add('warn', m, r);
  }
  debug(m: unknown, ...r: unknown[]) {
    this.add('debug', m, r);
  }
  verbose(m: unknown, ...r: unknown[]) {
    this.add('verbose', m, r);
  }
  fatal(m: unknown, ...r: unknown[]) {
    this.add('fatal', m, r);
  }
}

const KEY_PATTERN = /cv_[A-Za-z0-9_-]{43}/g;

// On each operational store: the keys live in SQLite or in PostgreSQL (DATABASE_URL).
for (const dialect of STORE_DIALECTS)
  describe(`API keys and roles (${dialect})`, () => {
    let app: TestApp;
    let store: AppOnStore | undefined;
    const logs = new CapturingLogger();

    before(async () => {
      store = await startAppOnStore(dialect, { logger: logs, env: { API_RATE_LIMIT: '1000000' } });
      app = store.app;
    });
    after(() => store?.close());

    const createKey = async (role: string, name = `${role}-key`) => {
      const res = await app.request('/api/v1/keys', { method: 'POST', body: JSON.stringify({ name, role }) });
      assert.equal(res.status, 201);
      return res.body as { id: string; key: string; role: string; name: string };
    };

    it('answers every missing or malformed key with the same 401, before anything else', async () => {
      const attempts: { path: string; headers?: Record<string, string> }[] = [
        { path: '/api/v1/containers/REEFER-001' },
        { path: '/api/v1/containers/NOPE-404' }, // no existence oracle: same answer as an existing one
        { path: '/api/v1/containers/REEFER-001', headers: { authorization: 'Bearer' } },
        { path: '/api/v1/containers/REEFER-001', headers: { authorization: 'Bearer ' } },
        { path: '/api/v1/containers/REEFER-001', headers: { authorization: `Basic ${btoa('admin:admin')}` } },
        { path: `/api/v1/containers/REEFER-001?key=${app.adminKey}` },
        { path: '/api/v1/containers/REEFER-001', headers: { authorization: `Bearer ${app.adminKey}x` } },
        { path: '/api/v1/containers/REEFER-001', headers: { authorization: `bearer ${app.adminKey}` } },
        { path: '/api/v1/keys', headers: { authorization: `Bearer cv_${'A'.repeat(43)}` } },
        { path: '/metrics' },
      ];
      for (const a of attempts) {
        const res = await app.request(a.path, { key: null, headers: a.headers });
        assert.equal(res.status, 401, `${a.path} ${JSON.stringify(a.headers)}`);
        assert.match(res.headers.get('content-type') ?? '', /application\/problem\+json/);
        assert.equal(res.body.code, 'auth.unauthenticated');
        assert.equal(res.body.detail, 'a valid API key is required: `Authorization: Bearer <key>`');
      }
    });

    it('keeps /health public and /metrics admin-only', async () => {
      assert.equal((await app.request('/health', { key: null })).status, 200);
      const viewer = await createKey('viewer');
      assert.equal((await app.request('/metrics', { key: viewer.key })).status, 403);
      const metrics = await app.request('/metrics');
      assert.equal(metrics.status, 200);
      assert.match(String(metrics.body), /convoi_/);
    });

    it('creates a key that works at once with its role, shows it once, and revokes it at once', async () => {
      const created = await createKey('planner', 'planning-lyon');
      assert.match(created.key, /^cv_[A-Za-z0-9_-]{43}$/);
      assert.equal(created.name, 'planning-lyon');
      const asPlanner = (path: string, init: RequestInit = {}) =>
        app.request(path, { ...init, key: created.key });
      assert.equal((await asPlanner('/api/v1/containers/REEFER-001')).status, 200);
      assert.equal((await asPlanner('/api/v1/keys')).status, 403, 'planners do not manage keys');

      const listed = await app.request('/api/v1/keys?limit=500');
      const one = await app.request(`/api/v1/keys/${created.id}`);
      for (const body of [listed.body, one.body]) {
        assert.doesNotMatch(JSON.stringify(body), KEY_PATTERN, 'no key in a read');
        assert.doesNotMatch(JSON.stringify(body), new RegExp(created.key.slice(8)));
      }
      assert.equal(one.body.hint, `${created.key.slice(0, 7)}…`);
      assert.ok(listed.body.items.some((k: any) => k.id === created.id && k.key === undefined));

      const revoked = await app.request(`/api/v1/keys/${created.id}`, { method: 'DELETE' });
      assert.equal(revoked.status, 204);
      const after = await asPlanner('/api/v1/containers/REEFER-001');
      assert.equal(after.status, 401);
      assert.ok((await app.request(`/api/v1/keys/${created.id}`)).body.revokedAt);
    });

    it('applies the role matrix: viewer reads, planner writes, admin administers', async () => {
      const viewer = await createKey('viewer');
      const planner = await createKey('planner');
      const cases: { key: string; method: string; path: string; body?: unknown; status: number }[] = [
        { key: viewer.key, method: 'GET', path: '/api/v1/sites', status: 200 },
        { key: viewer.key, method: 'POST', path: '/api/v1/sites', body: {}, status: 403 },
        { key: viewer.key, method: 'POST', path: '/api/v1/admin/import', body: {}, status: 403 },
        { key: planner.key, method: 'POST', path: '/api/v1/admin/import', body: {}, status: 403 },
        {
          key: planner.key,
          method: 'POST',
          path: '/api/v1/keys',
          body: { name: 'x', role: 'admin' },
          status: 403,
        },
        { key: app.adminKey, method: 'POST', path: '/api/v1/admin/import', body: {}, status: 200 },
      ];
      for (const c of cases) {
        const res = await app.request(c.path, {
          method: c.method,
          key: c.key,
          body: c.body === undefined ? undefined : JSON.stringify(c.body),
        });
        assert.equal(
          res.status,
          c.status,
          `${c.method} ${c.path} as ${c.key === app.adminKey ? 'admin' : c.key.slice(0, 6)}`,
        );
        if (c.status === 403) assert.equal(res.body.code, 'auth.forbidden');
      }
    });

    it('refuses invalid key requests with the exact messages', async () => {
      const empty = await app.request('/api/v1/keys', { method: 'POST', body: '{}' });
      assert.equal(empty.status, 400);
      assert.deepEqual(empty.body.errors, [
        'name must not contain control characters',
        'name must be shorter than or equal to 100 characters',
        'name must be longer than or equal to 1 characters',
        'name must be a string',
        'role must be one of the following values: viewer, planner, admin',
      ]);
      const unknown = await app.request('/api/v1/keys', {
        method: 'POST',
        body: JSON.stringify({ name: 'x', role: 'viewer', key: 'cv_mine' }),
      });
      assert.deepEqual(unknown.body.errors, ['property key should not exist']);
      const missing = await app.request('/api/v1/keys/k-0000000000000000', { method: 'DELETE' });
      assert.equal(missing.status, 404);
    });

    it('never logs a key after its creation', async () => {
      const created = await createKey('viewer', 'log-check');
      await app.request('/api/v1/containers', { key: created.key });
      await app.request('/api/v1/containers', { key: `${created.key}zz` });
      const text = logs.lines.join('\n');
      assert.ok(!text.includes(created.key), 'the created key is not in the log');
      assert.ok(!text.includes(app.adminKey), 'the configured admin key is not in the log');
      assert.doesNotMatch(text, KEY_PATTERN);
    });
  });

describe('first admin key and rate limit', () => {
  it('generates an admin key at first start, logs it once, and never again', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'convoi-keys-'));
    try {
      const firstLogs = new CapturingLogger();
      const first = await startTestApp({ dataDir, logger: firstLogs, env: { CONVOI_ADMIN_KEY: '' } });
      const printed = firstLogs.lines.join('\n').match(KEY_PATTERN) ?? [];
      assert.equal(printed.length, 1, 'exactly one key in the log');
      assert.equal((await first.request('/api/v1/keys', { key: printed[0] })).status, 200);
      await first.close();
      const secondLogs = new CapturingLogger();
      const second = await startTestApp({ dataDir, logger: secondLogs, env: { CONVOI_ADMIN_KEY: '' } });
      try {
        assert.doesNotMatch(secondLogs.lines.join('\n'), KEY_PATTERN);
        assert.equal((await second.request('/api/v1/keys', { key: printed[0] })).status, 200);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('limits requests per key with 429 and Retry-After, other keys unaffected', async () => {
    const app = await startTestApp({ env: { API_RATE_LIMIT: '5', API_RATE_WINDOW_MS: '60000' } });
    try {
      const other = await app.request('/api/v1/keys', {
        method: 'POST',
        body: JSON.stringify({ name: 'o', role: 'viewer' }),
      });
      const statuses: number[] = [];
      let limited: Awaited<ReturnType<TestApp['request']>> | undefined;
      for (let i = 0; i < 6; i++) {
        const res = await app.request('/api/v1/sites');
        statuses.push(res.status);
        if (res.status === 429) limited = res;
      }
      assert.deepEqual(statuses, [200, 200, 200, 200, 429, 429]);
      assert.match(limited!.headers.get('content-type') ?? '', /application\/problem\+json/);
      const retryAfter = Number(limited!.headers.get('retry-after'));
      assert.ok(retryAfter > 0 && retryAfter <= 60, `Retry-After ${retryAfter}`);
      assert.equal((await app.request('/api/v1/sites', { key: other.body.key })).status, 200);
    } finally {
      await app.close();
    }
  });
});
