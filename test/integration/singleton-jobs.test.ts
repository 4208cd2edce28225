import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Kysely } from 'kysely';
import pg from 'pg';
import { deviceTelemetryTopic } from '#src/contracts/topics.js';
import { LOCK_SPACE, singletonKey } from '#src/leases/advisory-lock.keys.js';
import { JobLeases } from '#src/leases/job-leases.js';
import { SINGLETON_JOBS } from '#src/leases/singleton-jobs.js';
import { RetentionPurgeService } from '#src/retention/retention-purge.service.js';
import { OperationalDatabase } from '#src/storage/operational-database.js';
import { SqliteDatabase } from '#src/storage/sqlite-database.js';
import { lockHolders, terminate } from '#test/support/lease-participants.js';
import { startPostgres, type PostgresServer } from '#test/support/postgres.js';
import { startTestApp, type TestApp } from '#test/support/test-app.js';
import { waitFor } from '#test/support/wait-for.js';
import type { AuditTables } from '#src/audit/audit.repository.js';

const DAY = 86_400_000;
const JOB = SINGLETON_JOBS.retentionPurge;

type AuditTable = Pick<AuditTables, 'audit_log'>;

/** The value of a metric line in a node's /metrics, 0 when absent. */
async function metric(node: TestApp, line: string): Promise<number> {
  const res = await node.request('/metrics');
  if (typeof res.body !== 'string')
    throw new Error(`GET /metrics: ${res.status} ${JSON.stringify(res.body)}`);
  const body = res.body;
  const found = body.split('\n').find((l) => l.startsWith(`${line} `));
  return found === undefined ? 0 : Number(found.slice(line.length + 1));
}

const held = (node: TestApp) => metric(node, `convoi_singleton_held{job="${JOB}"}`);
const purged = (node: TestApp, kind: string) =>
  metric(node, `convoi_retention_purged_rows_total{kind="${kind}"}`);

/** Audit rows (shared: in PostgreSQL) older than the audit retention, tagged `target`. */
async function seedOldAudit(node: TestApp, target: string, rows: number): Promise<void> {
  const at = Date.now() - 800 * DAY;
  await auditStore(node)
    .insertInto('audit_log')
    .values(
      Array.from({ length: rows }, (_, i) => ({
        at: at + i,
        actor: 'a',
        action: 'x.create',
        method: 'POST',
        path: '/api/v1/x',
        target,
        status: 201,
      })),
    )
    .execute();
}

async function auditLeft(node: TestApp, target: string): Promise<number> {
  const rows = await auditStore(node)
    .selectFrom('audit_log')
    .select('at')
    .where('target', '=', target)
    .execute();
  return rows.length;
}

const auditStore = (node: TestApp): Kysely<AuditTable> =>
  node.running.app.get(OperationalDatabase).db.withTables<AuditTable>();

/** An old, delivered webhook delivery in the node's own SQLite file (not shared). */
function seedOldDelivery(node: TestApp, alertId: string): void {
  node.running.app
    .get(SqliteDatabase)
    .connection.prepare(
      `INSERT INTO webhook_deliveries (url, alert_id, body, status, next_attempt_at, created_at)
       VALUES ('http://127.0.0.1:9/hook', ?, '{}', 'delivered', 0, ?)`,
    )
    .run(alertId, Date.now() - 60 * DAY);
}

function deliveryLeft(node: TestApp, alertId: string): boolean {
  return (
    node.running.app
      .get(SqliteDatabase)
      .connection.prepare('SELECT 1 FROM webhook_deliveries WHERE alert_id = ?')
      .get(alertId) !== undefined
  );
}

/** A real HTTP receiver on 127.0.0.1 that answers 200 and keeps each call's X-Convoi-Delivery id. */
async function receiver(): Promise<{ url: string; deliveryIds: string[]; server: Server }> {
  const deliveryIds: string[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      deliveryIds.push(String(req.headers['x-convoi-delivery']));
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hooks`, deliveryIds, server };
}

describe(`singleton jobs on two nodes sharing one PostgreSQL (${JobLeases.name})`, () => {
  let postgres: PostgresServer;
  const nodes: TestApp[] = [];
  const open = new Set<TestApp>();
  let hooks: Awaited<ReturnType<typeof receiver>>;
  let url: string;

  before(async () => {
    hooks = await receiver();
    postgres = await startPostgres();
    url = await postgres.createDatabase();
    // Each node has a DATA_DIR (SQLite files) of its own; PostgreSQL is the store they share, API
    // keys included: the first node's admin key is the one the database has.
    const env = {
      DATABASE_URL: url,
      RETENTION_PURGE_INTERVAL_MS: '1000',
      CONVOI_ADMIN_KEY: `cv_test_${randomBytes(32).toString('base64url')}`,
      ALERT_WEBHOOK_URLS: hooks.url,
    };
    for (let i = 0; i < 2; i++) {
      const node = await startTestApp({ env });
      nodes.push(node);
      open.add(node);
    }
  });
  after(async () => {
    for (const node of open) await node.close();
    await postgres?.stop();
    hooks?.server.close();
  });

  // Not a singleton job while the delivery queue is each node's SQLite file (ARCHITECTURE.md §9):
  // a lease would leave the other nodes' queues undelivered.
  it('delivers each webhook once, from the node that queued it', async () => {
    for (const node of nodes) {
      const device = await node.mqtt({ clientId: 'sensor-pal-7001' });
      await device.publishAsync(
        deviceTelemetryTopic('sensor-pal-7001'),
        JSON.stringify({ ts: Date.now(), battery: 8 }),
        { qos: 1 },
      );
    }
    const delivered = async (node: TestApp) => {
      const { body } = await node.request('/api/v1/admin/webhooks/deliveries');
      const items = (body as { items: { status: string; deliveryId: string }[] }).items;
      return items.length > 0 && items.every((d) => d.status === 'delivered') ? items : undefined;
    };
    const logs = await Promise.all(nodes.map((n) => waitFor('webhooks delivered', () => delivered(n))));
    const queued = logs.flat().map((d) => d.deliveryId);
    assert.equal(new Set(queued).size, queued.length, 'a delivery id queued on two nodes');
    // Delivered means answered 200: the receiver has each queued delivery exactly once.
    assert.deepEqual([...hooks.deliveryIds].sort(), [...queued].sort());
  });

  it("gives the job to one node again after the runner's lease session dies", async () => {
    const admin = new pg.Pool({ connectionString: url, max: 1 });
    try {
      const holderOf = async () =>
        (await lockHolders(admin, LOCK_SPACE.singleton)).get(singletonKey(JOB)) ?? [];
      const [dead] = await holderOf();
      await terminate(admin, dead);
      // Either node may win the next try (the runner opens a new session): one holds it, and the gauges agree.
      await waitFor(
        'one holder again',
        async () => {
          const holders = await holderOf();
          const gauges = await Promise.all(nodes.map(held));
          return holders.length === 1 && holders[0] !== dead && [...gauges].sort().join() === '0,1';
        },
        10_000,
      );
    } finally {
      await admin.end();
    }
  });

  it('purges the shared store on exactly one node, each node its own files, and hands over on a stop', async (t) => {
    const heldBy = await Promise.all(nodes.map(held));
    assert.deepEqual([...heldBy].sort(), [0, 1], `retention-purge held by: ${heldBy.join(', ')}`);
    const runner = nodes[heldBy.indexOf(1)];
    const other = nodes[heldBy.indexOf(0)];

    await seedOldAudit(runner, 'SJ-FIRST', 50);
    for (const node of nodes) seedOldDelivery(node, `SJ-W-${nodes.indexOf(node)}`);
    // A purge by hand on the other node leaves the shared store to the runner.
    const byHand = await other.running.app.get(RetentionPurgeService).purgeNow();
    assert.equal(byHand.shared, false);
    assert.equal(byHand.purged.audit, undefined);
    await waitFor('the shared rows purged', async () => (await auditLeft(other, 'SJ-FIRST')) === 0, 10_000);
    // Each node's own file is purged by that node, runner or not.
    await waitFor('both nodes purging their own files', () =>
      nodes.every((n, i) => !deliveryLeft(n, `SJ-W-${i}`)),
    );
    // Another scheduled run on both nodes after that: still only the runner touched the shared store.
    const since = Date.now() / 1000;
    const lastRun = (n: TestApp) => metric(n, 'convoi_retention_last_run_timestamp_seconds');
    await waitFor('another run on each node', async () =>
      (await Promise.all(nodes.map(lastRun))).every((s) => s > since),
    );
    assert.equal(await purged(runner, 'audit'), 50);
    assert.equal(await purged(other, 'audit'), 0);
    assert.deepEqual(await Promise.all(nodes.map(held)), heldBy);

    const stopped = Date.now();
    await runner.close();
    open.delete(runner);
    await waitFor('the other node to take the lease', async () => (await held(other)) === 1, 5000);
    t.diagnostic(`retention-purge taken over ${Date.now() - stopped} ms after the runner stopped`);
    await seedOldAudit(other, 'SJ-SECOND', 20);
    await waitFor(
      'the new runner purging the shared rows',
      async () => (await auditLeft(other, 'SJ-SECOND')) === 0,
      5000,
    );
    assert.equal(await purged(other, 'audit'), 20);
  });
});
