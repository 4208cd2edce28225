import assert from 'node:assert/strict';
import { beforeEach, it } from 'node:test';
import { sql } from 'kysely';
import { AuditLog } from '#src/audit/audit-log.service.js';
import { AuditRepository } from '#src/audit/audit.repository.js';
import type { NewAuditEntry } from '#src/audit/audit.types.js';
import { ManualClock } from '#src/common/clock.js';
import { Metrics } from '#src/common/metrics.js';
import { OperationalDatabase } from '#src/storage/operational-database.js';
import { OperationalStoreConfig } from '#src/storage/operational-store.config.js';
import { describeEachStore } from '#test/support/store-dialects.js';

const T0 = Date.UTC(2026, 10, 22, 8, 0, 0);

function entry(i: number, over: Partial<NewAuditEntry> = {}): NewAuditEntry {
  return {
    atMs: T0 + i * 1000,
    actor: i % 2 === 0 ? 'planning-lyon' : 'admin',
    action: i % 3 === 0 ? 'shipment.create' : 'device.update',
    method: 'POST',
    path: `/api/v1/things/T-${i}`,
    target: `T-${i}`,
    status: 201,
    ...over,
  };
}

describeEachStore(AuditRepository.name, (current) => {
  let repository: AuditRepository;

  beforeEach(async () => {
    repository = new AuditRepository(current().store);
    await repository.onModuleInit();
  });

  it('stores entries in order and reads them back newest first, target absent when none', async () => {
    await repository.insert([entry(1), entry(2, { target: undefined }), entry(3)]);
    const rows = await repository.list({}, undefined, 10);
    assert.deepEqual(
      rows.map((r) => [r.path, r.target, r.at]),
      [
        ['/api/v1/things/T-3', 'T-3', new Date(T0 + 3000).toISOString()],
        ['/api/v1/things/T-2', undefined, new Date(T0 + 2000).toISOString()],
        ['/api/v1/things/T-1', 'T-1', new Date(T0 + 1000).toISOString()],
      ],
    );
    assert.ok(rows[0].id > rows[1].id && rows[1].id > rows[2].id, 'ids ascend in insertion order');
    assert.equal(typeof rows[0].id, 'number');
    assert.equal(rows[0].status, 201);
  });

  it('filters by actor, action, target and time, and pages before an id', async () => {
    await repository.insert(Array.from({ length: 12 }, (_, i) => entry(i)));
    const ids = (rows: { target?: string }[]) => rows.map((r) => r.target);
    assert.deepEqual(
      ids(await repository.list({ actor: 'admin', action: 'shipment.create' }, undefined, 50)),
      ['T-9', 'T-3'],
    );
    assert.deepEqual(ids(await repository.list({ target: 'T-4' }, undefined, 50)), ['T-4']);
    assert.deepEqual(ids(await repository.list({ from: T0 + 10_000, to: T0 + 11_000 }, undefined, 50)), [
      'T-10',
    ]);
    const firstPage = await repository.list({}, undefined, 5);
    const next = await repository.list({}, firstPage[4].id, 5);
    assert.deepEqual(ids(next), ['T-6', 'T-5', 'T-4', 'T-3', 'T-2']);
  });

  it('is append-only in the database: UPDATE and DELETE are refused, TRUNCATE too on PostgreSQL', async () => {
    await repository.insert([entry(1)]);
    const { store, dialect } = current();
    await assert.rejects(sql`UPDATE audit_log SET actor = 'someone else'`.execute(store.db), /append-only/);
    await assert.rejects(sql`DELETE FROM audit_log`.execute(store.db), /retention purge/);
    if (dialect === 'postgres')
      await assert.rejects(sql`TRUNCATE audit_log`.execute(store.db), /append-only/);
    assert.equal((await repository.list({}, undefined, 10))[0].actor, 'admin');
  });

  it('lets the retention purge delete old entries in batches, then closes the gate again', async () => {
    await repository.insert(Array.from({ length: 5 }, (_, i) => entry(i)));
    assert.equal(await repository.purgeBefore(T0 + 3000, 2), 2);
    assert.equal(await repository.purgeBefore(T0 + 3000, 2), 1);
    assert.equal(await repository.purgeBefore(T0 + 3000, 2), 0);
    assert.deepEqual(
      (await repository.list({}, undefined, 10)).map((r) => r.target),
      ['T-4', 'T-3'],
    );
    await assert.rejects(sql`DELETE FROM audit_log`.execute(current().store.db), /retention purge/);
  });

  it('applies its migration once: a second start finds the audit log at version 1', async () => {
    await repository.insert([entry(1)]);
    await new AuditRepository(current().store).onModuleInit();
    const versions = await sql<{
      version: number;
    }>`SELECT version FROM schema_migrations WHERE scope = 'audit'`.execute(current().store.db);
    assert.deepEqual(
      versions.rows.map((r) => Number(r.version)),
      [1],
    );
    assert.equal((await repository.list({}, undefined, 10)).length, 1);
  });
});

describeEachStore(AuditLog.name, (current) => {
  let audit: AuditLog;
  let metrics: Metrics;

  beforeEach(async () => {
    const repository = new AuditRepository(current().store);
    await repository.onModuleInit();
    metrics = new Metrics();
    audit = new AuditLog(repository, new ManualClock(T0), metrics, current().store);
  });

  const failures = async () =>
    (await metrics.registry.getSingleMetricAsString('convoi_audit_write_failures_total')).match(
      / (\d+)$/m,
    )?.[1];

  it('queues entries without waiting and stores every one, in order, by shutdown', async () => {
    for (let i = 0; i < 1_200; i++) {
      audit.record({
        actor: 'admin',
        action: 'device.update',
        method: 'PATCH',
        path: `/d/${i}`,
        target: `D-${i}`,
        status: 200,
      });
    }
    await audit.beforeApplicationShutdown();
    const stored = await audit.forTarget('D-1199');
    assert.equal(stored.length, 1);
    const page = await audit.list({}, undefined, 1_200);
    assert.equal(page.items.length, 1_200);
    assert.equal(page.items[0].path, '/d/1199');
    assert.equal(page.items[1_199].path, '/d/0');
    assert.equal(await failures(), '0');
  });

  it('stores what was queued after beforeApplicationShutdown before the store closes', async () => {
    const { store, url, sqlite } = current();
    await audit.beforeApplicationShutdown();
    // A request the HTTP server answered while closing: the store's own shutdown flushes it.
    audit.record({
      actor: 'admin',
      action: 'key.revoke',
      method: 'DELETE',
      path: '/api/v1/keys/k',
      status: 204,
    });
    await store.onApplicationShutdown();
    const reopened = new OperationalDatabase(new OperationalStoreConfig({ DATABASE_URL: url }), sqlite);
    try {
      const rows = await new AuditRepository(reopened).list({}, undefined, 10);
      assert.deepEqual(
        rows.map((r) => r.action),
        ['key.revoke'],
      );
    } finally {
      await reopened.onApplicationShutdown();
    }
  });

  it('holds at most 10,000 entries waiting for the store: one more is counted as failed, not held', async () => {
    const one = { actor: 'admin', action: 'device.update', method: 'PATCH', path: '/d', status: 200 };
    // The first entry leaves for the store at once; the next 10,000 wait; the one after is refused.
    for (let i = 0; i < 10_002; i++) audit.record(one);
    assert.equal(await failures(), '1');
    await audit.flush();
    const stored = await audit.list({}, undefined, 10_100);
    assert.equal(stored.items.length, 10_001);
  });

  it('masks key-shaped text and bounds free text before storing', async () => {
    audit.record({
      actor: 'x'.repeat(300),
      action: 'key.create',
      method: 'POST',
      path: '/api/v1/keys/cv_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
      status: 201,
    });
    await audit.flush();
    const [stored] = (await audit.list({}, undefined, 1)).items;
    assert.equal(stored.actor.length, 100);
    assert.ok(!stored.path.includes('abcdefghijklmnop'), stored.path);
  });

  it('counts entries the store refused, never throws, and goes on with the next ones', async () => {
    await sql`DROP TABLE audit_log`.execute(current().store.db);
    const one = { actor: 'admin', action: 'key.create', method: 'POST', path: '/api/v1/keys', status: 201 };
    audit.record(one);
    await audit.flush();
    assert.equal(await failures(), '1');
    audit.record(one);
    await audit.flush();
    assert.equal(await failures(), '2');
  });
});
