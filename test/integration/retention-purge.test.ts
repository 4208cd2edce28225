import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Database } from 'better-sqlite3';
import { sql, type Kysely } from 'kysely';
import { ManualClock } from '#src/common/clock.js';
import { deviceTelemetryTopic } from '#src/contracts/topics.js';
import { RetentionPurgeService } from '#src/retention/retention-purge.service.js';
import { OperationalDatabase } from '#src/storage/operational-database.js';
import { SqliteDatabase } from '#src/storage/sqlite-database.js';
import { TelemetryDatabase } from '#src/telemetry/embedded/telemetry-database.js';
import { InfluxOutboxStore } from '#src/telemetry/influx/influx-outbox.store.js';
import { startPostgres, type PostgresServer } from '#test/support/postgres.js';
import {
  embeddedSeries,
  postgresSeries,
  seededValues,
  type SeededSeries,
} from '#test/support/retention-seeds.js';
import { STORE_DIALECTS } from '#test/support/store-dialects.js';
import { startTestApp, type TestApp } from '#test/support/test-app.js';
import { waitFor } from '#test/support/wait-for.js';
import type { AuditTables } from '#src/audit/audit.repository.js';

const DAY = 86_400_000;
/** Old dispositions of a kept shipment, seeded before the one to purge. */
const KEPT_DISPOSITIONS = 100;

/** The seeded tables of the operational store, as Kysely sees them. */
type SeededTables = {
  journey_events: { container_id: string; shipment_id: string | null; type: string; at: number };
  alerts: {
    id: string;
    container_id: string;
    rule_id: string;
    rule_kind: string;
    severity: string;
    status: string;
    opened_at: number;
    last_seen_at: number;
    cleared_at: number | null;
    count: number;
    message: string;
  };
  alert_history: { alert_id: string; at: number; change: string; by: string; severity: string };
  shipments: {
    id: string;
    container_id: string;
    origin_site_id: string;
    destination_site_id: string;
    profile_id: string;
    planned_departure: number;
    planned_arrival: number;
    status: string;
    closed_at: number | null;
    cancelled_at: number | null;
    created_by: string;
    created_at: number;
    updated_at: number;
  };
  shipment_dispositions: {
    shipment_id: string;
    decision: string;
    reason: string;
    computed: string;
    actor: string;
    at: number;
  };
  webhook_deliveries: {
    url: string;
    alert_id: string;
    body: string;
    status: string;
    next_attempt_at: number;
    created_at: number;
    delivery_id: string;
  };
} & Pick<AuditTables, 'audit_log'>;

/** The handles a test seeds and reads through. */
function stores(app: TestApp) {
  const sqlite = app.running.app.get(SqliteDatabase);
  const operational = app.running.app.get(OperationalDatabase);
  return {
    sqlite,
    db: sqlite.connection,
    series:
      operational.dialect === 'postgres'
        ? postgresSeries(app)
        : embeddedSeries(app.running.app.get(TelemetryDatabase).connection),
    store: operational.db.withTables<SeededTables>(),
  };
}

/**
 * Rows just past and just within each default retention, in every table the purge covers (the
 * time series in their own file).
 */
async function seed(
  db: Database,
  series: SeededSeries,
  store: Kysely<SeededTables>,
  now: number,
): Promise<void> {
  await series.reading('RET-OLD', now - 401 * DAY);
  await series.reading('RET-NEW', now - 399 * DAY);
  await series.alertEvent('RET-OLD', now - 1826 * DAY, 'RET-A-OLD');
  await series.alertEvent('RET-NEW', now - 1824 * DAY, 'RET-A-NEW');
  const old = now - 1830 * DAY;
  // Alerts are in the operational store (PostgreSQL when DATABASE_URL is set).
  const alert = (id: string, rule: string, status: string, clearedAt: number | null) => ({
    id,
    container_id: 'REEFER-001',
    rule_id: rule,
    rule_kind: 'threshold',
    severity: 'critical',
    status,
    opened_at: old,
    last_seen_at: old,
    cleared_at: clearedAt,
    count: 1,
    message: 'm',
  });
  await store
    .insertInto('alerts')
    .values([
      alert('RET-A-OLD', 'r1', 'cleared', now - 1826 * DAY),
      alert('RET-A-NEW', 'r2', 'cleared', now - 1824 * DAY),
      // Opened long ago and still active: an open alert is never purged, whatever its age.
      alert('RET-A-ACTIVE', 'r3', 'active', null),
    ])
    .execute();
  await store
    .insertInto('alert_history')
    .values(
      ['RET-A-OLD', 'RET-A-OLD', 'RET-A-NEW', 'RET-A-ACTIVE'].map((id) => ({
        alert_id: id,
        at: old,
        change: 'opened',
        by: 'rule',
        severity: 'critical',
      })),
    )
    .execute();
  // The fleet is in the operational store too.
  await sql`INSERT INTO containers (id, kind, label, created_at, updated_at)
            VALUES ('RET-C', 'reefer', 'r', ${old}, ${old})`.execute(store);
  // Shipments, dispositions and the audit log are in the operational store (PostgreSQL when
  // DATABASE_URL is set); the journey events stay in SQLite.
  const shipment = (id: string, status: string, closedAt: number | null, cancelledAt: number | null) => ({
    id,
    container_id: 'RET-C',
    origin_site_id: 'DC-LYON-SQF',
    destination_site_id: 'HM-PARIS-VILLIERS',
    profile_id: 'chilled-4',
    planned_departure: old,
    planned_arrival: old,
    status,
    closed_at: closedAt,
    cancelled_at: cancelledAt,
    created_by: 'planner',
    created_at: old,
    updated_at: old,
  });
  await store
    .insertInto('shipments')
    .values([
      shipment('RET-S-OLD', 'closed', now - 1826 * DAY, null),
      shipment('RET-S-CANCELLED', 'cancelled', null, now - 1826 * DAY),
      shipment('RET-S-NEW', 'closed', now - 1824 * DAY, null),
    ])
    .execute();
  const journey = (shipment_id: string | null, at: number) => ({
    container_id: 'RET-C',
    shipment_id,
    type: 'status',
    at,
  });
  await store
    .insertInto('journey_events')
    .values([
      // A millisecond apart: a container's event of one type is stored once per instant (journey_events_once).
      journey('RET-S-OLD', now - 1826 * DAY), // its shipment is purged in the same run, first
      journey(null, now - 1826 * DAY + 1),
      journey('RET-S-NEW', now - 1826 * DAY + 2), // old, but its shipment is still kept
      journey(null, now - 1824 * DAY),
    ])
    .execute();
  // The kept ones first, a whole batch of them (RETENTION_BATCH_SIZE is 100 below): the purge must page past rows it keeps.
  const disposition = (shipment_id: string) => ({
    shipment_id,
    decision: 'accept',
    reason: 'ok',
    computed: 'accept',
    actor: 'qm',
    at: now - 1826 * DAY,
  });
  await store
    .insertInto('shipment_dispositions')
    .values([
      ...Array.from({ length: KEPT_DISPOSITIONS }, () => disposition('RET-S-NEW')),
      disposition('RET-S-OLD'),
    ])
    .execute();
  // In the operational store: the node's SQLite file, or PostgreSQL (one queue for every node).
  const delivery = (alert_id: string, status: string, created_at: number) => ({
    url: 'http://127.0.0.1:9/hook',
    alert_id,
    body: '{}',
    status,
    next_attempt_at: 0,
    created_at,
    delivery_id: alert_id,
  });
  await store
    .insertInto('webhook_deliveries')
    .values([
      delivery('RET-W-OLD', 'delivered', now - 31 * DAY),
      delivery('RET-W-FAILED', 'failed', now - 31 * DAY),
      delivery('RET-W-PENDING', 'pending', now - 31 * DAY),
      delivery('RET-W-NEW', 'delivered', now - 29 * DAY),
    ])
    .execute();
  const audit = (at: number, target: string) => ({
    at,
    actor: 'a',
    action: 'x.create',
    method: 'POST',
    path: '/api/v1/x',
    target,
    status: 201,
  });
  await store
    .insertInto('audit_log')
    .values([audit(now - 731 * DAY, 'RET-AU-OLD'), audit(now - 729 * DAY, 'RET-AU-NEW')])
    .execute();
  const dead = db.prepare(
    "INSERT INTO influx_dead_letter (created_at, line_count, lines, status, reason) VALUES (?, 1, ?, 400, 'r')",
  );
  dead.run(now - 31 * DAY, 'RET-DL-OLD');
  dead.run(now - 29 * DAY, 'RET-DL-NEW');
}

/** What is left of the seeded rows, table by table. */
async function remaining(
  db: Database,
  series: SeededSeries,
  store: Kysely<SeededTables>,
): Promise<Record<string, unknown[]>> {
  const col = (query: string): unknown[] => db.prepare(query).pluck().all();
  return {
    readings: await series.readings(),
    alertEvents: await series.alertEvents(),
    alerts: await seededValues(store, 'alerts', 'id'),
    history: await seededValues(store, 'alert_history', 'alert_id'),
    shipments: await seededValues(store, 'shipments', 'id'),
    journey: (
      await store
        .selectFrom('journey_events')
        .select(['shipment_id', 'at'])
        .where('container_id', '=', 'RET-C')
        .execute()
    )
      .map((r) => r.shipment_id ?? r.at)
      .sort((a, b) => String(a).localeCompare(String(b))),
    dispositions: await seededValues(store, 'shipment_dispositions', 'shipment_id'),
    deliveries: await seededValues(store, 'webhook_deliveries', 'alert_id'),
    audit: await seededValues(store, 'audit_log', 'target'),
    deadLetters: col("SELECT lines FROM influx_dead_letter WHERE lines LIKE 'RET-%' ORDER BY 1"),
  };
}

const KEPT = {
  readings: ['RET-NEW'],
  alertEvents: ['RET-A-NEW'],
  alerts: ['RET-A-ACTIVE', 'RET-A-NEW'],
  history: ['RET-A-ACTIVE', 'RET-A-NEW'],
  shipments: ['RET-S-NEW'],
  journey: [new ManualClock().now() - 1824 * DAY, 'RET-S-NEW'] as unknown[],
  dispositions: Array.from({ length: KEPT_DISPOSITIONS }, () => 'RET-S-NEW'),
  deliveries: ['RET-W-NEW', 'RET-W-PENDING'],
  audit: ['RET-AU-NEW'],
  deadLetters: ['RET-DL-NEW'],
};

describe(RetentionPurgeService.name, () => {
  describe('on its schedule', () => {
    let app: TestApp;
    const clock = new ManualClock();
    before(async () => {
      app = await startTestApp({ clock, env: { RETENTION_PURGE_INTERVAL_MS: '1000' } });
    });
    after(() => app.close());

    it('deletes from every table what is older than its retention, and nothing newer', async () => {
      const { sqlite, db, series, store } = stores(app);
      new InfluxOutboxStore(sqlite, clock).migrate(); // the dead-letter table of the InfluxDB adapter
      await seed(db, series, store, clock.now());
      // No call to purgeNow: the scheduled run (every second here) must do it alone.
      await waitFor(
        'scheduled purge',
        async () => (await remaining(db, series, store)).readings.length === 1,
        5000,
      );
      await waitFor('every kind purged', async () => {
        const left = await remaining(db, series, store);
        return JSON.stringify(left) === JSON.stringify(KEPT) ? left : undefined;
      });
      assert.deepEqual(await remaining(db, series, store), KEPT);
      const metrics = (await app.request('/metrics')).body as string;
      assert.match(metrics, /convoi_retention_purged_rows_total\{kind="readings"\} 1\b/);
      assert.match(metrics, /convoi_retention_purged_rows_total\{kind="audit"\} 1\b/);
      assert.match(metrics, /convoi_retention_purged_rows_total\{kind="alerts"\} 3\b/); // 1 alert + 2 history
      assert.match(metrics, /convoi_retention_last_run_timestamp_seconds \d+/);
    });
  });

  // On each operational store: with DATABASE_URL, the audit log, shipments, dispositions and
  // webhook deliveries are purged in PostgreSQL (the journey events, in SQLite, kept while their
  // shipment is kept).
  for (const dialect of STORE_DIALECTS)
    describe(`triggered by hand, with a controlled clock (${dialect})`, () => {
      let app: TestApp;
      let postgres: PostgresServer | undefined;
      const clock = new ManualClock();
      before(async () => {
        postgres = dialect === 'postgres' ? await startPostgres() : undefined;
        const url = await postgres?.createDatabase();
        const env = { RETENTION_BATCH_SIZE: '100', ...(url !== undefined && { DATABASE_URL: url }) };
        app = await startTestApp({ clock, env });
        assert.equal(app.running.app.get(OperationalDatabase).dialect, dialect);
      });
      after(async () => {
        await app.close();
        await postgres?.stop();
      });

      it('purges a row once the clock passes its retention, not before', async () => {
        const { sqlite, db, series, store } = stores(app);
        const purge = app.running.app.get(RetentionPurgeService);
        new InfluxOutboxStore(sqlite, clock).migrate();
        await seed(db, series, store, clock.now());
        const first = await purge.purgeNow();
        assert.deepEqual(await remaining(db, series, store), KEPT);
        assert.deepEqual(first.purged, {
          readings: 1,
          'alert-events': 1,
          alerts: 3,
          shipments: 2,
          'journey-events': 2,
          dispositions: 1,
          'webhook-deliveries': 2,
          audit: 1,
          'dead-letters': 1,
        });
        assert.deepEqual(first.errors, {});
        clock.advance(2 * DAY);
        const second = await purge.purgeNow();
        assert.equal(second.purged.readings, 1);
        assert.equal(second.purged.audit, 1);
        assert.deepEqual((await remaining(db, series, store)).readings, []);
        assert.deepEqual((await remaining(db, series, store)).alerts, ['RET-A-ACTIVE']);
      });

      it('deletes in batches of RETENTION_BATCH_SIZE rows', async () => {
        const { store } = stores(app);
        const purge = app.running.app.get(RetentionPurgeService);
        const old = clock.now() - 800 * DAY;
        const rows = Array.from({ length: 250 }, (_, i) => ({
          at: old + i,
          actor: 'a',
          action: 'x.create',
          method: 'POST',
          path: '/api/v1/x',
          target: `BATCH-${i}`,
          status: 201,
        }));
        // The same purge with nothing old: one empty batch per kind present.
        const idle = await purge.purgeNow();
        await store.insertInto('audit_log').values(rows).execute();
        const report = await purge.purgeNow();
        assert.equal(report.purged.audit, 250);
        // 250 rows: 100 + 100 + 50, then the empty batch that ends the kind.
        assert.equal(report.batches - idle.batches, 3);
        assert.equal(
          (await store.selectFrom('audit_log').select('target').where('target', 'like', 'BATCH-%').execute())
            .length,
          0,
        );
      });
    });

  describe('over a large backlog', () => {
    let app: TestApp;
    const clock = new ManualClock();
    before(async () => {
      app = await startTestApp({ clock });
    });
    after(() => app.close());

    it('keeps ingestion flowing while it deletes 1,000,000 old readings', async () => {
      const db = app.running.app.get(TelemetryDatabase).connection;
      const purge = app.running.app.get(RetentionPurgeService);
      const insert = db.prepare(
        `INSERT INTO readings (container_id, measured_at, device_id, received_at, source, temperature_c, lag_ms, late)
         VALUES ('RET-BULK', ?, 'RET-D', ?, 'json', -19.5, 0, 0)`,
      );
      const oldest = clock.now() - 900 * DAY;
      const t0 = performance.now();
      db.transaction(() => {
        for (let i = 0; i < 1_000_000; i++) insert.run(oldest + i * 1000, oldest + i * 1000);
      })();
      const insertMs = performance.now() - t0;

      const device = await app.mqtt();
      let purgeDone = false;
      const started = performance.now();
      const running = purge.purgeNow().then((report) => {
        purgeDone = true;
        return report;
      });
      const measuredAt = clock.now() + 1000;
      await device.publishAsync(
        deviceTelemetryTopic('sensor-reefer-001'),
        JSON.stringify({ ts: measuredAt, temperature: 3.1 }),
        { qos: 1 },
      );
      await waitFor('reading stored during the purge', () =>
        db
          .prepare("SELECT 1 FROM readings WHERE device_id = 'sensor-reefer-001' AND measured_at = ?")
          .get(measuredAt),
      );
      const storedWhilePurging = !purgeDone;
      const storedAfterMs = performance.now() - started;
      const report = await running;
      const purgeMs = performance.now() - started;
      assert.equal(report.purged.readings, 1_000_000);
      assert.equal(
        db.prepare("SELECT COUNT(*) FROM readings WHERE container_id = 'RET-BULK'").pluck().get(),
        0,
      );
      assert.ok(storedWhilePurging, 'a reading published during the purge is stored before the purge ends');
      assert.ok(report.longestBatchMs < 1000, `longest delete transaction ${report.longestBatchMs} ms`);
      process.stdout.write(
        `# 1,000,000 rows: inserted in ${Math.round(insertMs)} ms, purged in ${Math.round(purgeMs)} ms ` +
          `(${report.batches} batches, longest ${report.longestBatchMs.toFixed(1)} ms); ` +
          `a reading published meanwhile was stored after ${Math.round(storedAfterMs)} ms\n`,
      );
    });
  });
});
