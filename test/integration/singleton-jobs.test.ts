import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import type { AlertEvent } from '#src/contracts/alert-event.js';
import { deviceTelemetryTopic } from '#src/contracts/topics.js';
import { LOCK_SPACE, singletonKey } from '#src/leases/advisory-lock.keys.js';
import { JobLeases } from '#src/leases/job-leases.js';
import { SINGLETON_JOBS } from '#src/leases/singleton-jobs.js';
import { RetentionPurgeService } from '#src/retention/retention-purge.service.js';
import { OperationalDatabase } from '#src/storage/operational-database.js';
import { SqliteDatabase } from '#src/storage/sqlite-database.js';
import { InfluxOutboxStore } from '#src/telemetry/influx/influx-outbox.store.js';
import { Clock } from '#src/common/clock.js';
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

/**
 * An old InfluxDB dead letter in the node's own SQLite file (its outbox's table, made here: these
 * nodes write no InfluxDB): not shared, each node purges its own.
 */
function seedOldDeadLetter(node: TestApp, lines: string): void {
  const sqlite = node.running.app.get(SqliteDatabase);
  new InfluxOutboxStore(sqlite, node.running.app.get(Clock)).migrate();
  sqlite.connection
    .prepare(
      "INSERT INTO influx_dead_letter (created_at, line_count, lines, status, reason) VALUES (?, 1, ?, 400, 'r')",
    )
    .run(Date.now() - 2000 * DAY, lines);
}

function deadLetterLeft(node: TestApp, lines: string): boolean {
  return (
    node.running.app
      .get(SqliteDatabase)
      .connection.prepare('SELECT 1 FROM influx_dead_letter WHERE lines = ?')
      .get(lines) !== undefined
  );
}

/** An old, delivered webhook delivery in the shared queue (PostgreSQL): the runner purges it. */
async function seedOldDelivery(node: TestApp, alertId: string): Promise<void> {
  await sql`INSERT INTO webhook_deliveries (url, alert_id, body, status, next_attempt_at, created_at, delivery_id)
            VALUES ('http://127.0.0.1:9/hook', ${alertId}, '{}', 'delivered', 0, ${Date.now() - 60 * DAY},
                    ${`old-${alertId}`})`.execute(node.running.app.get(OperationalDatabase).db);
}

async function deliveryLeft(node: TestApp, alertId: string): Promise<boolean> {
  const { rows } = await sql`SELECT 1 FROM webhook_deliveries WHERE alert_id = ${alertId}`.execute(
    node.running.app.get(OperationalDatabase).db,
  );
  return rows.length > 0;
}

interface Receiver {
  url: string;
  /** X-Convoi-Delivery of each call, in the order they came. */
  deliveryIds: string[];
  /** The alert change of each call. */
  events: AlertEvent[];
  /** How long the next answers wait, ms (0: at once). */
  holdMs: number;
  server: Server;
}

/** A real HTTP receiver on 127.0.0.1 that answers 200 (after `holdMs`) and keeps each call. */
async function receiver(): Promise<Receiver> {
  const r: Receiver = { url: '', deliveryIds: [], events: [], holdMs: 0, server: createServer() };
  r.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      r.deliveryIds.push(String(req.headers['x-convoi-delivery']));
      r.events.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as AlertEvent);
      setTimeout(() => res.writeHead(200).end('ok'), r.holdMs);
    });
  });
  await new Promise<void>((resolve) => r.server.listen(0, '127.0.0.1', resolve));
  const { port } = r.server.address() as AddressInfo;
  r.url = `http://127.0.0.1:${port}/hooks`;
  return r;
}

interface Delivery {
  status: string;
  deliveryId: string;
  alertId: string;
}

/** The delivery log as a node serves it (the shared queue: the same on every node). */
async function deliveryLog(node: TestApp): Promise<Delivery[]> {
  const { body } = await node.request('/api/v1/admin/webhooks/deliveries');
  return (body as { items: Delivery[] }).items;
}

const sending = (node: TestApp) =>
  metric(node, `convoi_singleton_held{job="${SINGLETON_JOBS.webhookDelivery}"}`);
const sent = (node: TestApp) => metric(node, 'convoi_webhook_attempts_total{outcome="delivered"}');

describe(`singleton jobs on two nodes sharing one PostgreSQL (${JobLeases.name})`, () => {
  let postgres: PostgresServer;
  const nodes: TestApp[] = [];
  const open = new Set<TestApp>();
  let hooks: Receiver;
  let url: string;
  let env: Record<string, string>;

  before(async () => {
    hooks = await receiver();
    postgres = await startPostgres();
    url = await postgres.createDatabase();
    // Each node has a DATA_DIR (SQLite files) of its own; PostgreSQL is the store they share, API
    // keys included: the first node's admin key is the one the database has.
    env = {
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

  // The queue is PostgreSQL's (ARCHITECTURE.md §9): one node, the lease holder, sends every node's changes.
  it("delivers every node's webhooks from one node, each delivery id once", async () => {
    for (const [node, clientId] of [
      [nodes[0], 'sensor-pal-7001'],
      [nodes[1], 'sensor-reefer-001'],
    ] as const) {
      const device = await node.mqtt({ clientId });
      await device.publishAsync(
        deviceTelemetryTopic(clientId),
        JSON.stringify({ ts: Date.now(), battery: 8 }),
        {
          qos: 1,
        },
      );
    }
    const log = await waitFor('both alerts delivered', async () => {
      const items = await deliveryLog(nodes[0]);
      return items.length === 2 && items.every((d) => d.status === 'delivered') ? items : undefined;
    });
    assert.deepEqual(await deliveryLog(nodes[1]), log, 'one queue, seen alike from both nodes');
    assert.deepEqual([...hooks.deliveryIds].sort(), log.map((d) => d.deliveryId).sort());
    assert.deepEqual(
      hooks.events.map((e) => e.containerId).sort(),
      ['PAL-7001', 'REEFER-001'],
      'each node queued its own change',
    );
    const holders = await Promise.all(nodes.map(sending));
    assert.deepEqual([...holders].sort(), [0, 1], `webhook-delivery held by: ${holders.join(', ')}`);
    assert.deepEqual(
      await Promise.all(nodes.map(sent)),
      holders.map((h) => h * 2),
      'the holder sent both',
    );
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
    await seedOldDelivery(runner, 'SJ-W');
    for (const node of nodes) seedOldDeadLetter(node, `SJ-D-${nodes.indexOf(node)}`);
    // A purge by hand on the other node leaves the shared store to the runner.
    const byHand = await other.running.app.get(RetentionPurgeService).purgeNow();
    assert.equal(byHand.shared, false);
    assert.equal(byHand.purged.audit, undefined);
    assert.equal(byHand.purged['webhook-deliveries'], undefined);
    await waitFor('the shared rows purged', async () => (await auditLeft(other, 'SJ-FIRST')) === 0, 10_000);
    await waitFor('the shared webhook log purged', async () => !(await deliveryLeft(other, 'SJ-W')));
    // Each node's own file is purged by that node, runner or not.
    await waitFor('both nodes purging their own files', () =>
      nodes.every((n, i) => !deadLetterLeft(n, `SJ-D-${i}`)),
    );
    // Another scheduled run on both nodes after that: still only the runner touched the shared store.
    const since = Date.now() / 1000;
    const lastRun = (n: TestApp) => metric(n, 'convoi_retention_last_run_timestamp_seconds');
    await waitFor('another run on each node', async () =>
      (await Promise.all(nodes.map(lastRun))).every((s) => s > since),
    );
    assert.equal(await purged(runner, 'audit'), 50);
    assert.equal(await purged(other, 'audit'), 0);
    assert.equal(await purged(runner, 'webhook-deliveries'), 1);
    assert.equal(await purged(other, 'webhook-deliveries'), 0);
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
  it('hands the queue over when the sender stops: what was pending then is sent by the next, once', async () => {
    // Two nodes again: the purge test stopped one.
    const joined = await startTestApp({ env });
    nodes.push(joined);
    open.add(joined);
    const live = [...open];
    const holder = await waitFor('one sender', async () => {
      const held = await Promise.all(live.map(sending));
      return held.filter((h) => h === 1).length === 1 ? live[held.indexOf(1)] : undefined;
    });
    const other = live.find((n) => n !== holder)!;
    const [alertId] = hooks.events.map((e) => e.alertId);
    const comment = (text: string) =>
      other.request(`/api/v1/alerts/${alertId}/comments`, { method: 'POST', body: JSON.stringify({ text }) });

    // The first comment is in flight at the holder when it stops; the second waits behind it.
    hooks.holdMs = 3000; // longer than the second comment takes to be queued, shorter than the stop waits
    const before = hooks.deliveryIds.length;
    assert.equal((await comment('in flight at the stop')).status, 200);
    await waitFor('the first comment at the receiver', () => hooks.deliveryIds.length === before + 1);
    assert.equal((await comment('pending at the stop')).status, 200);
    const pending = await waitFor('the second comment queued', async () =>
      (await deliveryLog(other)).find(
        (d) => d.status === 'pending' && !hooks.deliveryIds.includes(d.deliveryId),
      ),
    );
    hooks.holdMs = 0;
    await holder.close();
    open.delete(holder);
    assert.equal(hooks.deliveryIds.length, before + 1, 'the stopped sender sent nothing more');

    await waitFor('the other node sending', async () => (await sending(other)) === 1, 5000);
    await waitFor('the pending delivery sent by the new holder', async () =>
      (await deliveryLog(other)).every((d) => d.status === 'delivered'),
    );
    assert.equal(hooks.deliveryIds.at(-1), pending.deliveryId);
    assert.equal(new Set(hooks.deliveryIds).size, hooks.deliveryIds.length, 'no delivery id received twice');
    const log = await deliveryLog(other);
    assert.deepEqual([...hooks.deliveryIds].sort(), log.map((d) => d.deliveryId).sort());
  });
});
