import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { ManualClock } from '#src/common/clock.js';
import type { AlertEvent } from '#src/contracts/alert-event.js';
import type { Reading } from '#src/contracts/reading.js';
import { PARTITION_DAY_MS, partitionName } from '#src/telemetry/postgres/postgres-reading-partitions.js';
import { MIN_STATEMENT_GAP_MS } from '#src/telemetry/postgres/postgres-telemetry.writer.js';
import { startPostgres, withClient, type PostgresServer } from '#test/support/postgres.js';
import { openSeriesStore, type SeriesStore } from '#test/support/telemetry-stores.js';
import { waitFor } from '#test/support/wait-for.js';

const DAY = PARTITION_DAY_MS;
const T = Date.UTC(2026, 10, 22, 10);

function reading(i: number, extra: Partial<Reading> = {}): Reading {
  return {
    deviceId: 'D1',
    containerId: 'C1',
    measuredAt: T + i * 1000,
    receivedAt: T + i * 1000 + 5,
    source: 'json',
    dedupeKey: `D1:t:${i}`,
    temperatureC: 4,
    quality: { lagMs: 5, late: false },
    ...extra,
  };
}

function alert(at: number, extra: Partial<AlertEvent> = {}): AlertEvent {
  return {
    alertId: `a${at}`,
    change: 'opened',
    containerId: 'C1',
    rule: 'r',
    severity: 'critical',
    status: 'active',
    acknowledged: false,
    message: 'm',
    at,
    ...extra,
  };
}

describe('PostgresTelemetryWriter (real PostgreSQL)', () => {
  let server: PostgresServer;
  let series: SeriesStore | undefined;
  let url = '';
  before(async () => {
    server = await startPostgres();
  });
  after(() => server.stop());
  afterEach(async () => {
    await series?.close();
    series = undefined;
  });

  const open = async (clock = new ManualClock(T), settings = {}) => {
    url = await server.createDatabase();
    series = await openSeriesStore('postgres', { url, clock, settings });
    return series;
  };
  const query = <R>(text: string, params: unknown[] = []) =>
    withClient(url, async (c) => (await c.query(text, params)).rows as R[]);
  const count = async () => Number((await query<{ n: string }>('SELECT count(*) AS n FROM readings'))[0].n);
  const history = (s: SeriesStore, from = T - DAY, to = T + DAY) =>
    s.reader.history({ containerId: 'C1', from, to, limit: 10_000 });

  it('writes a thousand readings in one INSERT, only when flushed or due', async () => {
    const s = await open();
    const xid = async () => Number((await query<{ x: string }>('SELECT txid_current() AS x'))[0].x);
    const before = await xid();
    for (let i = 0; i < 1000; i++) s.writer.write([reading(i)]);
    assert.equal(await count(), 0, 'nothing is written while the batch is neither full nor due');
    await s.writer.flush();
    assert.equal(await count(), 1000);
    // Each statement that writes takes a transaction id: the insert, then this query's own.
    assert.equal((await xid()) - before, 2, 'one write transaction for the thousand readings');
  });

  it('sends one statement for the flushes of many group commits, not one each (MIN_STATEMENT_GAP_MS)', async () => {
    const s = await open();
    const xid = async () => Number((await query<{ x: string }>('SELECT txid_current() AS x'))[0].x);
    const before = await xid();
    const started = performance.now();
    const flushes: Promise<void>[] = [];
    // 20 readings and a flush every 2 ms, as the ingestion inbox hands over at 10,000/s.
    for (let i = 0; i < 50; i++) {
      s.writer.write(Array.from({ length: 20 }, (_, j) => reading(i * 20 + j)));
      flushes.push(s.writer.flush());
      await new Promise((r) => setTimeout(r, 2));
    }
    await Promise.all(flushes);
    const elapsedMs = performance.now() - started;
    assert.equal(await count(), 1000);
    // One transaction per statement, plus this query's own: at most one per gap, and the first.
    const statements = (await xid()) - before - 1;
    assert.ok(
      statements <= Math.ceil(elapsedMs / MIN_STATEMENT_GAP_MS) + 1,
      `${statements} statements in ${Math.round(elapsedMs)} ms`,
    );
    assert.ok(statements <= 25, `${statements} statements for 50 flushes`);
  });

  it("stores a reading as it was when written (the object is the pipeline's)", async () => {
    const s = await open();
    const r = reading(0);
    s.writer.write([r]);
    r.temperatureC = 99;
    await s.writer.flush();
    assert.equal((await history(s))[0].temperatureC, 4);
  });

  it('stores a replayed reading once, with the same values', async () => {
    const s = await open();
    const batch = [
      reading(0, { shipmentId: 'S1', doorOpen: true, quality: { fCnt: 7, lagMs: 5, late: true } }),
      reading(1),
    ];
    s.writer.write(batch);
    await s.writer.flush();
    const first = await history(s);
    s.writer.write(batch);
    s.writer.write(batch); // twice within one batch too: one statement may not meet a key twice
    await s.writer.flush();
    assert.equal(await count(), 2);
    assert.deepEqual(await history(s), first);
    assert.deepEqual(first[0], {
      deviceId: 'D1',
      measuredAt: T,
      receivedAt: T + 5,
      source: 'json',
      shipmentId: 'S1',
      temperatureC: 4,
      doorOpen: true,
      quality: { fCnt: 7, lagMs: 5, late: true },
    });
  });

  it('stores ids and numbers as written, through its own connection and prepared INSERT', async () => {
    const s = await open();
    const awkward = ['a,b', '{x}', 'NULL', 'say "hi"', 'back\\slash', 'é ü'];
    // A column of nothing but NULL in one batch (rssi), present in another: the padded unnest.
    s.writer.write(
      awkward.map((id, i) =>
        reading(i, {
          containerId: id,
          deviceId: id,
          shipmentId: i % 2 ? id : undefined,
          temperatureC: -0.1 * (i + 1),
          doorOpen: i % 2 === 0,
        }),
      ),
    );
    s.writer.write([
      reading(0, {
        containerId: 'C1',
        temperatureC: 1e-7,
        quality: { lagMs: 3, late: true, rssi: -117.5, fCnt: 2 ** 40 },
      }),
    ]);
    await s.writer.flush();
    const sessions = await query<{ n: string }>(
      "SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'convoi readings writer' AND query LIKE 'INSERT INTO readings%'",
    );
    assert.deepEqual(sessions, [{ n: '1' }], "the INSERT ran on the writer's own session");
    const rows = await query<Record<string, unknown>>(
      'SELECT container_id, device_id, shipment_id, temperature_c, door_open, rssi, f_cnt, late FROM readings ORDER BY measured_at, container_id COLLATE "C"',
    );
    assert.deepEqual(rows, [
      ...awkward
        .map((id, i) => ({
          container_id: id,
          device_id: id,
          shipment_id: i % 2 ? id : null,
          temperature_c: -0.1 * (i + 1),
          door_open: i % 2 === 0,
          rssi: null,
          f_cnt: null,
          late: false,
        }))
        .flatMap((row, i) =>
          i === 0
            ? [
                {
                  container_id: 'C1',
                  device_id: 'D1',
                  shipment_id: null,
                  temperature_c: 1e-7,
                  door_open: null,
                  rssi: -117.5,
                  f_cnt: String(2 ** 40),
                  late: true,
                },
                row,
              ]
            : [row],
        ),
    ]);
  });

  it('inserts new readings without the merge, and merges every batch for a while after one met a stored key', async () => {
    const s = await open();
    const lastStatement = async () =>
      (
        await query<{ query: string }>(
          "SELECT query FROM pg_stat_activity WHERE application_name = 'convoi readings writer'",
        )
      )[0].query;
    s.writer.write([reading(0), reading(1)]);
    await s.writer.flush();
    assert.doesNotMatch(await lastStatement(), /ON CONFLICT/);
    // A replay of one reading beside a new one: the plain INSERT is refused, the merge stores both.
    s.writer.write([reading(1, { temperatureC: 9 }), reading(2)]);
    await s.writer.flush();
    assert.match(await lastStatement(), /ON CONFLICT/);
    assert.deepEqual(
      (await history(s)).map((r) => [r.measuredAt, r.temperatureC]),
      [
        [T, 4],
        [T + 1000, 9],
        [T + 2000, 4],
      ],
    );
    s.writer.write([reading(3)]);
    await s.writer.flush();
    assert.match(
      await lastStatement(),
      /ON CONFLICT/,
      'within MERGE_AFTER_CONFLICT_MS, straight to the merge',
    );
    assert.equal(await count(), 4);
  });

  it('opens another connection when its own was ended, and stores the readings queued meanwhile', async () => {
    const s = await open();
    s.writer.write([reading(0)]);
    await s.writer.flush();
    const ended = await query<{ ended: boolean }>(
      "SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity WHERE application_name = 'convoi readings writer'",
    );
    assert.deepEqual(ended, [{ ended: true }]);
    s.writer.write([reading(1)]);
    await s.writer.flush();
    assert.equal(await count(), 2);
    assert.equal(s.writer.readiness().status, 'up');
  });

  it('merges a reading written again field by field, across batches and within one', async () => {
    const s = await open();
    s.writer.write([reading(0, { temperatureC: 4, humidityPct: 80 })]);
    await s.writer.flush();
    s.writer.write([
      reading(0, { temperatureC: undefined, shockG: 2, receivedAt: T + 900, source: 'tts' }),
      reading(1, { temperatureC: 5 }),
      reading(1, { temperatureC: undefined, batteryPct: 90, receivedAt: T + 1900 }),
    ]);
    await s.writer.flush();
    const rows = await history(s);
    assert.deepEqual(
      rows.map((r) => [
        r.measuredAt,
        r.receivedAt,
        r.source,
        r.temperatureC,
        r.humidityPct,
        r.shockG,
        r.batteryPct,
      ]),
      [
        [T, T + 900, 'tts', 4, 80, 2, undefined],
        [T + 1000, T + 1900, 'json', 5, undefined, undefined, 90],
      ],
    );
  });

  it('creates the partition of any day a reading needs; none is a default partition', async () => {
    const s = await open();
    const far = T - 40 * DAY;
    s.writer.write([reading(0), reading(0, { measuredAt: far }), reading(0, { measuredAt: T + 3 * DAY })]);
    await s.writer.flush();
    const partitions = await query<{ name: string; bound: string }>(
      `SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound FROM pg_inherits i
       JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'readings'::regclass ORDER BY 1`,
    );
    const names = partitions.map((p) => p.name);
    for (const at of [far, T, T + DAY, T + 3 * DAY])
      assert.ok(
        names.includes(partitionName(Math.floor(at / DAY))),
        `partition of ${new Date(at).toISOString()}`,
      );
    assert.ok(partitions.every((p) => p.bound !== 'DEFAULT'));
    assert.equal(await count(), 3);
    const where = await query<{ table: string }>(
      'SELECT tableoid::regclass::text AS table FROM readings WHERE measured_at = $1',
      [far],
    );
    assert.deepEqual(where, [{ table: partitionName(Math.floor(far / DAY)) }]);
  });

  it('stores a burst of alert events in one statement, beyond the 65,535 parameters of a VALUES list', async () => {
    const s = await open();
    // 8,000 events: nine parameters each would be 72,000.
    for (let i = 0; i < 8000; i++) s.writer.writeAlert(alert(T + i, i === 1 ? { value: 7.5 } : {}));
    await s.writer.flush();
    const rows = await query<{ n: string; value: number | null }>(
      'SELECT count(*) AS n, max(value) AS value FROM alert_events',
    );
    assert.deepEqual(rows, [{ n: '8000', value: 7.5 }]);
  });

  it('drops the partitions of days wholly older than RETENTION_READINGS_DAYS, and old alert events', async () => {
    const clock = new ManualClock(T);
    const s = await open(clock, { RETENTION_READINGS_DAYS: 5, RETENTION_ALERTS_DAYS: 5 });
    s.writer.write([
      reading(0, { measuredAt: T - 7 * DAY }),
      reading(0, { measuredAt: T - 5 * DAY + 1000 }),
      reading(0),
    ]);
    s.writer.writeAlert(alert(T - 7 * DAY));
    s.writer.writeAlert(alert(T));
    await s.writer.flush();
    const report = await s.maintenance!.runNow();
    const cutoffDay = Math.floor((T - 5 * DAY) / DAY);
    assert.ok(report.droppedDays.length > 0 && report.droppedDays.every((d) => d < cutoffDay));
    assert.ok(report.droppedDays.includes(Math.floor((T - 7 * DAY) / DAY)));
    // The day the limit falls in is kept whole: its reading after the cutoff stays.
    assert.deepEqual(
      (await history(s, T - 10 * DAY)).map((r) => r.measuredAt),
      [T - 5 * DAY + 1000, T],
    );
    assert.equal(report.alertEventsDeleted, 1);
    // A late reading of a dropped day is stored again (its partition created anew), then dropped.
    s.writer.write([reading(0, { measuredAt: T - 7 * DAY })]);
    await s.writer.flush();
    assert.equal(await count(), 3);
    clock.set(T + DAY);
    await s.maintenance!.runNow();
    assert.deepEqual(
      (await history(s, T - 10 * DAY)).map((r) => r.measuredAt),
      [T],
    );
  });

  it(
    "stores a reading of a day another node's retention dropped, creating its partition again",
    { timeout: 20_000 },
    async () => {
      const clock = new ManualClock(T);
      const a = await open(clock, { RETENTION_READINGS_DAYS: 5 });
      const b = await openSeriesStore('postgres', { url, clock });
      try {
        const old = T - 7 * DAY;
        b.writer.write([reading(0, { measuredAt: old })]);
        await b.writer.flush();
        assert.deepEqual((await a.maintenance!.runNow()).droppedDays, [Math.floor(old / DAY)]);
        // b still takes the day's partition for there: its insert fails once, then it checks again.
        b.writer.write([reading(0, { measuredAt: old + 1000 })]);
        await b.writer.flush();
        assert.deepEqual(
          (await history(b, T - 10 * DAY)).map((r) => r.measuredAt),
          [old + 1000],
        );
      } finally {
        await b.close();
      }
    },
  );

  it(
    'keeps what PostgreSQL could not take while it is down, and stores it once it is back',
    { timeout: 60_000 },
    async () => {
      const s = await open();
      s.writer.write([reading(0)]);
      await s.writer.flush();
      await server.pause();
      let restarted = false;
      try {
        s.writer.write([reading(1), reading(2)]);
        let flushed = false;
        const flush = s.writer.flush().then(() => (flushed = true));
        await waitFor(
          'the writer to report the failure',
          () => s.writer.readiness().status === 'down',
          10_000,
        );
        assert.equal(s.writer.health().status, 'degraded');
        assert.equal(flushed, false, 'flush does not resolve while the readings are not stored');
        // Written during the outage too: queued behind the failed batch, in order.
        s.writer.write([reading(3)]);
        const later = s.writer.flush();
        await server.resume();
        restarted = true;
        await flush;
        await later;
      } finally {
        if (!restarted) await server.resume();
      }
      assert.equal(s.writer.readiness().status, 'up');
      assert.deepEqual(
        (await history(s)).map((r) => r.measuredAt),
        [T, T + 1000, T + 2000, T + 3000],
      );
    },
  );
});
