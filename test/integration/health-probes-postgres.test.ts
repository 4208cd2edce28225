import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { POSTGRES_CHECK_TIMEOUT_MS } from '#src/http/health-postgres.check.js';
import { OperationalDatabase } from '#src/storage/operational-database.js';
import { startPostgres, type PostgresServer } from '#test/support/postgres.js';
import { startTestApp, type TestApp } from '#test/support/test-app.js';
import { waitFor } from '#test/support/wait-for.js';

describe('health probes with PostgreSQL as the operational store (DATABASE_URL)', () => {
  let app: TestApp;
  let postgres: PostgresServer;
  const probe = (path: string) => app.request(path, { key: null });

  before(async () => {
    postgres = await startPostgres();
    app = await startTestApp({ env: { DATABASE_URL: await postgres.createDatabase() } });
    assert.equal(app.running.app.get(OperationalDatabase).dialect, 'postgres');
  });
  after(async () => {
    await app?.close();
    await postgres?.stop();
  });

  it('names PostgreSQL among the parts, up while it answers', async () => {
    const ready = await probe('/health/ready');
    assert.equal(ready.status, 200, JSON.stringify(ready.body));
    assert.deepEqual(Object.keys(ready.body.checks), [
      'broker',
      'consumer',
      'pipeline',
      'sqlite',
      'postgres',
      'timeseries',
    ]);
    assert.deepEqual(ready.body.checks.postgres, { status: 'up' });
    const health = await probe('/health');
    assert.equal(health.status, 200);
    assert.deepEqual(health.body.checks.postgres, { status: 'up' });
  });

  it('is not ready while the PostgreSQL server is stopped, alive all along, and ready again once it is back', async () => {
    await postgres.pause();
    try {
      const down = await waitFor('readiness down', async () => {
        const res = await probe('/health/ready');
        return res.status === 503 ? res : undefined;
      });
      assert.equal(down.body.status, 'down');
      assert.deepEqual(down.body.checks.postgres, { status: 'down', detail: 'no answer' });
      assert.equal(down.body.checks.sqlite.status, 'up', 'only the part that failed is named');
      const health = await probe('/health');
      assert.equal(health.status, 503);
      assert.equal(health.body.checks.postgres.status, 'down');
      assert.equal((await probe('/health/live')).status, 200);
    } finally {
      await postgres.resume();
    }
    const up = await waitFor('readiness up again', async () => {
      const res = await probe('/health/ready');
      return res.status === 200 ? res : undefined;
    });
    assert.deepEqual(up.body.checks.postgres, { status: 'up' });
    // The pool reconnected: a request that reads PostgreSQL works again.
    assert.equal((await app.request('/api/v1/keys')).status, 200);
  });

  it('is not ready, within the check timeout, while PostgreSQL holds its connections without answering', async () => {
    postgres.freeze();
    try {
      const started = Date.now();
      const down = await probe('/health/ready');
      const tookMs = Date.now() - started;
      assert.equal(down.status, 503, JSON.stringify(down.body));
      assert.deepEqual(down.body.checks.postgres, { status: 'down', detail: 'no answer within 2 s' });
      assert.ok(
        tookMs >= POSTGRES_CHECK_TIMEOUT_MS && tookMs < POSTGRES_CHECK_TIMEOUT_MS + 3_000,
        `${tookMs} ms`,
      );
      assert.equal((await probe('/health/live')).status, 200);
    } finally {
      postgres.thaw();
    }
    await waitFor('readiness up again', async () =>
      (await probe('/health/ready')).status === 200 ? true : undefined,
    );
  });
});
