import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AlertEvent } from '#src/contracts/alert-event.js';
import type { Reading } from '#src/contracts/reading.js';
import { deviceTelemetryTopic } from '#src/contracts/topics.js';
import { defaultConfig } from '#src/app-settings.js';
import { Clock } from '#src/common/clock.js';
import { MOVED_TABLES } from '#src/migrate-store/moved-tables.js';
import { SqliteDatabase } from '#src/storage/sqlite-database.js';
import { InfluxOutboxStore } from '#src/telemetry/influx/influx-outbox.store.js';
import { TelemetryWriter } from '#src/telemetry/telemetry.ports.js';
import { REVOKED_DEVICE, seedMqttCredentials } from '#test/support/credential-seeds.js';
import { startPostgres, withClient, type PostgresServer } from '#test/support/postgres.js';
import { postgresRows, sqliteRows, type RowsByKey } from '#test/support/store-tables.js';
import { startTestApp, type TestApp } from '#test/support/test-app.js';
import { waitFor } from '#test/support/wait-for.js';

/** The compiled command `npm run migrate-store` runs (scripts/migrate-store.mjs builds it first). */
const CLI = resolve('dist/src/migrate-store/migrate-store.cli.js');
const DAY_MS = 86_400_000;
/** Readings written through the app's writer: more than two batches of 5,000, over five days. */
const BULK_READINGS = 12_000;
/** A password in DATABASE_URL (the test server trusts any): the command must never print it. */
const PASSWORD = 'never-printed-5ecret';

/** Runs the command on `dataDir` into `url` (given with {@link PASSWORD}); checks it never prints the password. */
async function migrateStore(dataDir: string, url: string, ...args: string[]) {
  const { INFLUX_URL: _influx, ...inherited } = process.env;
  const env = {
    ...inherited,
    DATA_DIR: dataDir,
    DATABASE_URL: url.replace('//postgres@', `//postgres:${PASSWORD}@`),
  };
  const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((done, fail) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
  assert.ok(!(result.stdout + result.stderr).includes(PASSWORD), 'the password is never printed');
  assert.match(result.stdout, /into postgres:\/\/postgres:\*\*\*@127\.0\.0\.1/);
  return result;
}

/** The reading `i` of the bulk: every column used, NULLs and both booleans among them. */
function bulkReading(i: number, t0: number, shipmentId: string): Reading {
  const [deviceId, containerId] =
    i % 2 === 0 ? ['sensor-pal-7001', 'PAL-7001'] : ['sensor-reefer-001', 'REEFER-001'];
  const measuredAt = t0 + Math.floor(i / 2) * 36_000;
  return {
    deviceId,
    containerId,
    measuredAt,
    receivedAt: measuredAt + 250 + (i % 9),
    source: i % 3 === 0 ? 'chirpstack' : 'json',
    dedupeKey: `${deviceId}:${measuredAt}`,
    ...(i % 4 === 0 ? { shipmentId } : {}),
    ...(i % 5 === 0 ? {} : { temperatureC: -21.5 + (i % 40) / 8 }),
    ...(i % 6 === 0 ? { lat: 48.7557 + i / 1e6, lon: 2.3522, altM: 35.25 } : {}),
    ...(i % 7 === 0 ? {} : { doorOpen: i % 2 === 1 }),
    humidityPct: 80.1,
    batteryPct: 97,
    quality: {
      lagMs: 250 + (i % 9),
      late: i % 11 === 0,
      ...(i % 3 === 0 ? { fCnt: i, gateways: 2, rssi: -101.5, snr: 7.25 } : {}),
    },
  };
}

/**
 * What a node that wrote to InfluxDB leaves in its SQLite file (this deployment ran without it):
 * batches waiting in the outbox, one of them retried, and a dead letter. Moved, the lease
 * holder replays them from PostgreSQL.
 */
async function seedInfluxOutbox(dataDir: string): Promise<void> {
  const sqlite = new SqliteDatabase(defaultConfig({ DATA_DIR: dataDir }));
  const outbox = new InfluxOutboxStore(sqlite, new Clock());
  outbox.migrate();
  outbox.append(['telemetry,container=PAL-7001,device=d temperatureC=3.5 1700000000000']);
  outbox.append(['telemetry,container=PAL-7001,device=d temperatureC=3.6 1700000001000', 'alert x=1 1']);
  const [group] = outbox.groups(1, 1);
  outbox.settle(group, group.rows.flat(), [], 'http_503');
  outbox.deadLetter(
    ['telemetry,container=PAL-7001 batteryPct="x" 1700000002000'],
    400,
    'HTTP 400: type conflict',
  );
  await sqlite.onApplicationShutdown();
}

describe('convoi migrate-store: a SQLite deployment moved to PostgreSQL keeps every row', () => {
  let postgres: PostgresServer;
  let dataDir: string;
  let url: string;
  let app: TestApp | undefined;
  const keys: { key: string; id: string; revoked: boolean }[] = [];
  /** MQTT secrets issued before the move: a device's, a revoked device's, an integration's. */
  const mqttSecrets: Record<string, string> = {};
  /** The delivered shipment's journey events as the SQLite deployment served them. */
  let journeyBefore: unknown[] = [];
  const shipmentIds: string[] = [];
  /** The first bulk reading's instant. */
  let t0 = 0;
  /** Every moved table's rows, read from the SQLite files once convoi stopped. */
  const sqliteBefore = new Map<string, RowsByKey>();
  /** A container's live values as the SQLite deployment served them. */
  let liveBefore: unknown;

  before(async () => {
    postgres = await startPostgres();
    url = await postgres.createDatabase();
    dataDir = mkdtempSync(join(tmpdir(), 'convoi-migrate-store-'));
    // A receiver nobody listens on: the alert's deliveries stay in the queue, retried.
    app = await startTestApp({ dataDir, env: { ALERT_WEBHOOK_URLS: 'http://127.0.0.1:9/hooks' } });

    for (const [name, role] of [
      ['planner-a', 'planner'],
      ['viewer-b', 'viewer'],
      ['old-c', 'viewer'],
    ]) {
      const res = await app.request('/api/v1/keys', { method: 'POST', body: JSON.stringify({ name, role }) });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      keys.push({ key: res.body.key as string, id: res.body.id as string, revoked: false });
    }
    assert.equal((await app.request(`/api/v1/keys/${keys[2].id}`, { method: 'DELETE' })).status, 204);
    keys[2].revoked = true;

    Object.assign(mqttSecrets, await seedMqttCredentials(app));

    // A planner's own profile, named by a shipment: on PostgreSQL by a foreign key.
    const profile = await app.request('/api/v1/profiles', {
      method: 'POST',
      body: JSON.stringify({
        id: 'sushi-3',
        name: 'Sushi',
        basedOn: 'chilled-3',
        temperature: { minC: 0, maxC: 3 },
      }),
    });
    assert.equal(profile.status, 201, JSON.stringify(profile.body));

    const now = Date.now();
    for (const [containerId, destination, profileId] of [
      ['PAL-7001', 'HM-LILLE-V2', 'chilled-4'],
      ['REEFER-002', 'HM-PARIS-VILLIERS', 'sushi-3'],
    ]) {
      const res = await app.request('/api/v1/shipments', {
        method: 'POST',
        body: JSON.stringify({
          containerId,
          originSiteId: 'DC-PARIS-RUNGIS',
          destinationSiteId: destination,
          profileId,
          plannedDeparture: new Date(now - 6 * DAY_MS).toISOString(),
          plannedArrival: new Date(now - DAY_MS).toISOString(),
          carrier: 'Transports Frigo Été',
        }),
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      shipmentIds.push(res.body.id as string);
    }
    const [delivered] = shipmentIds;
    for (const status of ['in_transit', 'arrived'])
      assert.equal(
        (
          await app.request(`/api/v1/shipments/${delivered}/status`, {
            method: 'POST',
            body: JSON.stringify({ status }),
          })
        ).status,
        200,
      );
    for (const [decision, reason] of [
      ['inspect', 'door opened twice'],
      ['accept', 'probe checked: 3.1 °C'],
    ]) {
      const res = await app.request(`/api/v1/shipments/${delivered}/record/disposition`, {
        method: 'POST',
        body: JSON.stringify({ decision, reason }),
      });
      assert.equal(res.status, 200, JSON.stringify(res.body));
    }

    // Readings as devices send them, and a bulk through the app's own writer (several days).
    const device = await app.mqtt({ clientId: 'sensor-pal-7001' });
    // The oldest with a low battery: an alert opens (battery-low), which a planner acknowledges.
    for (let k = 3; k >= 1; k--)
      await device.publishAsync(
        deviceTelemetryTopic('sensor-pal-7001'),
        JSON.stringify({ ts: now - k * 1000, temperature: -20 - k / 4, ...(k === 3 && { battery: 15 }) }),
        { qos: 1 },
      );
    const writer = app.running.app.get(TelemetryWriter);
    t0 = now - 5 * DAY_MS;
    const bulk = Array.from({ length: BULK_READINGS }, (_, i) => bulkReading(i, t0, delivered));
    for (let i = 0; i < bulk.length; i += 1000) writer.write(bulk.slice(i, i + 1000));
    for (let i = 0; i < 25; i++) {
      const event: AlertEvent = {
        alertId: `alert-${i % 5}`,
        change: (['opened', 'updated', 'escalated', 'acknowledged', 'cleared'] as const)[Math.floor(i / 5)],
        containerId: i % 2 === 0 ? 'PAL-7001' : 'REEFER-001',
        rule: 'temperature-high',
        severity: i < 10 ? 'warning' : 'critical',
        status: i >= 20 ? 'cleared' : 'active',
        acknowledged: i >= 15,
        ...(i % 3 === 0 ? {} : { value: 6.5 + i / 10 }),
        message: `Température ${i} °C au-dessus du seuil`,
        at: t0 + i * 60_000,
      };
      writer.writeAlert(event);
    }
    await writer.flush();
    const alertId = await waitFor('the battery alert', async () => {
      const { body } = await app!.request('/api/v1/alerts?containerId=PAL-7001');
      return (body.items as { id: string }[])[0]?.id;
    });
    const acknowledged = await app.request(`/api/v1/alerts/${alertId}/acknowledge`, {
      method: 'POST',
      body: JSON.stringify({ note: 'battery ordered, déjà en route' }),
    });
    assert.equal(acknowledged.status, 200, JSON.stringify(acknowledged.body));
    await waitFor('the MQTT readings stored', async () => {
      const { body } = await app!.request(
        `/api/v1/containers/PAL-7001/readings?from=${new Date(now - 10_000).toISOString()}`,
      );
      return body.items.length === 3;
    });
  });

  after(async () => {
    await app?.close();
    await postgres?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses while convoi runs on the DATA_DIR, and writes nothing to PostgreSQL', async () => {
    const run = await migrateStore(dataDir, url);
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.match(run.stderr, /convoi\.sqlite is open in another process: stop convoi/);
    const tables = await withClient(url, (c) =>
      c.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"),
    );
    assert.deepEqual(tables.rows, []);
  });

  it('copies every row of every table PostgreSQL holds, and reports each table', async () => {
    liveBefore = (await app!.request('/api/v1/containers/PAL-7001')).body.live;
    journeyBefore = (await app!.request(`/api/v1/shipments/${shipmentIds[0]}/journey`)).body
      .events as unknown[];
    assert.ok(journeyBefore.length > 0, 'the delivered shipment has journey events');
    await app!.close();
    app = undefined;
    await seedInfluxOutbox(dataDir);
    for (const t of MOVED_TABLES) {
      const rows = sqliteRows(dataDir, t);
      assert.ok(rows.size > 0, `the SQLite deployment has rows in ${t.table}`);
      sqliteBefore.set(t.table, rows);
    }
    assert.equal(sqliteBefore.get('readings')!.size, BULK_READINGS + 3);

    const run = await migrateStore(dataDir, url);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    for (const t of MOVED_TABLES) {
      const n = sqliteBefore.get(t.table)!.size;
      assert.match(
        run.stdout,
        new RegExp(
          `^${t.table}\\s+${t.file.replace('.', '\\.')}\\s+copied\\s+${n}\\s+${n}\\s+\\w+\\s+ok$`,
          'm',
        ),
      );
    }
    for (const t of MOVED_TABLES) {
      // Same keys, and every column of every row the same (booleans compared as 0/1).
      assert.deepEqual(await postgresRows(url, t), sqliteBefore.get(t.table), `${t.table} in PostgreSQL`);
    }
  });

  it('serves the moved deployment from PostgreSQL: keys, MQTT credentials, profiles, shipments, records, history, alerts, audit', async () => {
    app = await startTestApp({ dataDir, env: { DATABASE_URL: url } });
    const [planner, viewer, revoked] = keys;
    assert.equal((await app.request('/api/v1/shipments', { key: planner.key })).status, 200);
    assert.equal((await app.request('/api/v1/containers/PAL-7001', { key: viewer.key })).status, 200);
    assert.equal((await app.request('/api/v1/shipments', { key: revoked.key })).status, 401);
    // The containers' state moved with its checkpoint positions: restored from PostgreSQL.
    const container = await app.request('/api/v1/containers/PAL-7001');
    assert.deepEqual(container.body.live, liveBefore);
    assert.ok(container.body.live?.lastMeasuredAt > 0);
    const mqttAs = (username: string, clientId = username) =>
      app!.mqtt({ clientId, username, password: mqttSecrets[username], connectTimeout: 3000 });
    await (await mqttAs('sensor-reefer-001')).endAsync();
    await (await mqttAs('ns-lyon', 'ns-lyon-1')).endAsync();
    await assert.rejects(mqttAs(REVOKED_DEVICE), 'a credential revoked before the move stays revoked');

    const list = await app.request('/api/v1/shipments?limit=100');
    assert.deepEqual((list.body.items as { id: string }[]).map((s) => s.id).sort(), [...shipmentIds].sort());
    const mine = await app.request('/api/v1/profiles/sushi-3');
    assert.equal(mine.status, 200);
    assert.deepEqual(mine.body.temperature, { minC: 0, maxC: 3 });
    assert.equal((await app.request(`/api/v1/shipments/${shipmentIds[1]}`)).body.profileId, 'sushi-3');
    const record = await app.request(`/api/v1/shipments/${shipmentIds[0]}/record`);
    assert.equal(record.status, 200);
    assert.deepEqual(
      (record.body.disposition.history as { decision: string }[]).map((d) => d.decision),
      ['inspect', 'accept'],
    );

    const journey = await app.request(`/api/v1/shipments/${shipmentIds[0]}/journey`);
    assert.deepEqual(journey.body.events, journeyBefore, 'the journey events, from PostgreSQL');

    const history = await app.request(
      `/api/v1/containers/REEFER-001/readings?from=${new Date(t0).toISOString()}&limit=10000`,
    );
    assert.equal(history.status, 200);
    assert.equal(history.body.items.length, BULK_READINGS / 2);

    const [alert] = (await app.request('/api/v1/alerts?containerId=PAL-7001')).body.items as {
      id: string;
      acknowledged: boolean;
    }[];
    assert.equal(alert.acknowledged, true);
    const detail = await app.request(`/api/v1/alerts/${alert.id}`);
    assert.deepEqual(
      (detail.body.history as { change: string }[]).map((h) => h.change),
      ['opened', 'acknowledged'],
    );

    // The webhook delivery log (and queue) is PostgreSQL's now.
    const deliveries = await app.request('/api/v1/admin/webhooks/deliveries');
    assert.equal(deliveries.body.items.length, sqliteBefore.get('webhook_deliveries')!.size);

    // A profile made on PostgreSQL only: --replace below must take the profiles back to the source's.
    const pgOnly = await app.request('/api/v1/profiles', {
      method: 'POST',
      body: JSON.stringify({ id: 'pg-only', name: 'PG', basedOn: 'frozen', temperature: { maxC: -18 } }),
    });
    assert.equal(pgOnly.status, 201, JSON.stringify(pgOnly.body));
    // A device moved on PostgreSQL: its copied binding closed, a new one numbered after the copied.
    const bind = await app.request('/api/v1/devices/sensor-pal-7001/bind', {
      method: 'POST',
      body: JSON.stringify({ containerId: 'REEFER-001' }),
    });
    assert.equal(bind.status, 200, JSON.stringify(bind.body));
    const bindings = (await app.request('/api/v1/devices/sensor-pal-7001/bindings')).body.items as {
      containerId: string;
      unboundAt?: string;
    }[];
    assert.deepEqual(
      bindings.map((b) => [b.containerId, b.unboundAt !== undefined]),
      [
        ['PAL-7001', true],
        ['REEFER-001', false],
      ],
    );

    // New rows after the copied ones: the identity columns continue past the copied ids.
    const key = await app.request('/api/v1/keys', {
      method: 'POST',
      body: JSON.stringify({ name: 'after-move', role: 'viewer' }),
    });
    assert.equal(key.status, 201);
    const copiedAudit = sqliteBefore.get('audit_log')!.size;
    await waitFor('the new request in the audit log', async () => {
      const rows = await withClient(url, (c) =>
        c.query<{ n: string }>('SELECT count(*) AS n FROM audit_log'),
      );
      return Number(rows.rows[0].n) > copiedAudit;
    });
    await app.close();
    app = undefined;
  });

  it('refuses a target whose tables hold other rows (naming them); --replace copies again', async () => {
    const refused = await migrateStore(dataDir, url);
    assert.equal(refused.code, 1, refused.stdout + refused.stderr);
    // The keys and audit entries written by convoi on PostgreSQL since the move.
    const keysBefore = sqliteBefore.get('api_keys')!.size;
    assert.match(
      refused.stderr,
      new RegExp(
        `^  api_keys holds ${keysBefore + 1} row\\(s\\) \\(convoi\\.sqlite has ${keysBefore}\\)$`,
        'm',
      ),
    );
    assert.match(refused.stderr, /^ {2}audit_log holds \d+ row\(s\)/m);
    const profilesBefore = sqliteBefore.get('profiles')!.size;
    assert.match(
      refused.stderr,
      new RegExp(
        `^  profiles holds ${profilesBefore + 1} row\\(s\\) \\(convoi\\.sqlite has ${profilesBefore}\\)$`,
        'm',
      ),
    );
    assert.match(refused.stderr, /^ {2}device_bindings holds \d+ row\(s\)/m);
    assert.doesNotMatch(refused.stderr, /shipments holds|readings holds|containers holds/);
    assert.doesNotMatch(refused.stdout, /copied/);

    const replaced = await migrateStore(dataDir, url, '--replace', '--batch-size', '700');
    assert.equal(replaced.code, 0, replaced.stdout + replaced.stderr);
    assert.match(
      replaced.stdout,
      new RegExp(
        `^api_keys\\s+convoi\\.sqlite\\s+replaced\\s+${keysBefore}\\s+${keysBefore}\\s+\\w+\\s+ok$`,
        'm',
      ),
    );
    assert.match(replaced.stdout, /^readings\s+telemetry\.sqlite\s+already there\s+/m);
    // Emptied and refilled while the shipments in PostgreSQL name them (their foreign key deferred).
    assert.match(replaced.stdout, /^profiles\s+convoi\.sqlite\s+replaced\s+/m);
    assert.match(replaced.stdout, /^device_bindings\s+convoi\.sqlite\s+replaced\s+/m);
    for (const t of MOVED_TABLES)
      assert.deepEqual(await postgresRows(url, t), sqliteBefore.get(t.table), `${t.table} in PostgreSQL`);
  });
});
