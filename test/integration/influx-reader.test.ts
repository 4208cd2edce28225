import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Reading } from '#src/contracts/reading.js';
import {
  TelemetryQueryInvalidError,
  TelemetryStoreUnavailableError,
} from '#src/telemetry/influx/influx.errors.js';
import { InfluxTelemetryReader } from '#src/telemetry/influx/influx-telemetry.reader.js';
import { NUMERIC_FIELDS, type AggregateFunction, type AggregateRow } from '#src/telemetry/telemetry.ports.js';
import { influxSkipReason } from '#test/support/influx/influx-availability.js';
import {
  BASE_TIME,
  influxTestConfig,
  makeReading,
  openWriter,
  startInfluxStack,
  tempDataDir,
  type InfluxStack,
  type WriterHarness,
} from '#test/support/influx/influx-fixture.js';

const MINUTE = 60_000;

/** C1: one reading every 30 s for 2 h with a 20-minute gap; C2: a few readings at the same times. */
function dataset(): Reading[] {
  const out: Reading[] = [];
  for (let i = 0; i < 240; i++) {
    if (i >= 60 && i < 100) continue; // an empty stretch: its buckets must not appear
    const measuredAt = BASE_TIME + i * 30_000;
    out.push(
      makeReading(i, {
        containerId: 'C1',
        deviceId: i % 2 === 0 ? 'D1' : 'D2',
        measuredAt,
        receivedAt: measuredAt + 500,
        shipmentId: i % 3 === 0 ? 'S-9' : undefined,
        // Quarter degrees: sums and means are exact in binary floating point on both sides.
        temperatureC: ((i * 7) % 40) / 4 - 2,
        humidityPct: i % 5 === 0 ? 40 + (i % 8) : undefined,
        doorOpen: i % 10 === 0 ? true : undefined,
        quality: { fCnt: i, rssi: -90 - (i % 5), lagMs: 500, late: i % 50 === 0 },
      }),
    );
  }
  for (let i = 0; i < 5; i++)
    out.push(makeReading(i * 2, { containerId: 'C2', deviceId: 'D9', temperatureC: 30 }));
  return out;
}

function expectedAggregate(
  readings: Reading[],
  fn: AggregateFunction,
  everyMs: number,
  from: number,
  to: number,
): AggregateRow[] {
  const buckets = new Map<number, Reading[]>();
  for (const r of readings) {
    if (r.containerId !== 'C1' || r.measuredAt < from || r.measuredAt >= to) continue;
    const start = Math.floor(r.measuredAt / everyMs) * everyMs;
    buckets.set(start, [...(buckets.get(start) ?? []), r]);
  }
  return [...buckets.entries()]
    .sort(([a], [b]) => a - b)
    .map(([time, rs]) => {
      const row: AggregateRow = { time };
      for (const f of NUMERIC_FIELDS) {
        const values = rs.filter((r) => r[f] !== undefined).map((r) => r[f] as number);
        if (values.length === 0) continue;
        if (fn === 'mean') row[f] = values.reduce((a, b) => a + b, 0) / values.length;
        if (fn === 'min') row[f] = Math.min(...values);
        if (fn === 'max') row[f] = Math.max(...values);
        if (fn === 'last') row[f] = values[values.length - 1];
      }
      return row;
    });
}

describe(InfluxTelemetryReader.name, { skip: influxSkipReason('influx-reader') }, () => {
  let stack: InfluxStack;
  let h: WriterHarness;
  const data = tempDataDir();
  const readings = dataset();
  const end = BASE_TIME + 240 * 30_000;

  before(async () => {
    stack = await startInfluxStack();
    h = await openWriter(influxTestConfig(stack.shim.url, data.dir));
    h.writer.write(readings);
    await h.writer.flush();
  });
  after(async () => {
    await h?.shutdown();
    await stack?.close();
    data.remove();
  });

  it('returns history rows of one container in [from, to), the newest `limit` of them, oldest first', async () => {
    const from = BASE_TIME + 10 * 30_000;
    const rows = await h.reader.history({ containerId: 'C1', from, to: from + 5 * 30_000, limit: 100 });
    const expected = readings
      .filter((r) => r.containerId === 'C1' && r.measuredAt >= from && r.measuredAt < from + 5 * 30_000)
      .map((r) => {
        const row: Record<string, unknown> = {
          deviceId: r.deviceId,
          measuredAt: r.measuredAt,
          receivedAt: r.receivedAt,
          source: r.source,
          temperatureC: r.temperatureC,
          quality: {
            fCnt: r.quality.fCnt,
            rssi: r.quality.rssi,
            lagMs: r.quality.lagMs,
            late: r.quality.late,
          },
        };
        if (r.shipmentId) row.shipmentId = r.shipmentId;
        if (r.humidityPct !== undefined) row.humidityPct = r.humidityPct;
        if (r.doorOpen !== undefined) row.doorOpen = r.doorOpen;
        return row;
      });
    assert.equal(expected.length, 5);
    assert.deepEqual(rows, expected);
    const limited = await h.reader.history({ containerId: 'C1', from: BASE_TIME, to: end, limit: 7 });
    assert.deepEqual(
      limited.map((r) => r.measuredAt),
      readings
        .filter((r) => r.containerId === 'C1')
        .slice(-7)
        .map((r) => r.measuredAt),
    );
  });

  for (const fn of ['mean', 'min', 'max', 'last'] as const) {
    it(`aggregates with ${fn} in epoch-aligned buckets, leaving empty buckets out`, async () => {
      const from = BASE_TIME + 2 * MINUTE + 30_000; // not on a bucket boundary
      const query = { containerId: 'C1', from, to: end, limit: 1000, everyMs: 5 * MINUTE, fn };
      const rows = await h.reader.aggregate(query);
      assert.deepEqual(rows, expectedAggregate(readings, fn, query.everyMs, from, end));
      assert.ok(rows.length > 10 && rows.length < 24, 'the gap left buckets out');
      const newest = await h.reader.aggregate({ ...query, limit: 3 });
      assert.deepEqual(newest, rows.slice(-3));
    });
  }

  it('treats injection attempts as plain values: nothing of another container, nothing dropped', async () => {
    const q = { from: BASE_TIME, to: end, limit: 1000 };
    const before = await h.reader.history({ containerId: 'C1', ...q });
    for (const containerId of [
      "C1' OR container = 'C2",
      "C1'; DROP MEASUREMENT telemetry",
      '; DROP MEASUREMENT telemetry',
      'C1" OR "container" = "C2',
      'C1\\',
    ]) {
      assert.deepEqual(await h.reader.history({ containerId, ...q }), [], containerId);
      assert.deepEqual(
        await h.reader.aggregate({ containerId, ...q, everyMs: MINUTE, fn: 'max' }),
        [],
        containerId,
      );
    }
    assert.deepEqual(await h.reader.history({ containerId: 'C1', ...q }), before);
    assert.ok(
      before.every((r) => r.temperatureC !== 30),
      'no C2 row in C1 history',
    );
    const c2 = await h.reader.history({ containerId: 'C2', ...q });
    assert.equal(c2.length, 5);
  });

  it('refuses identifiers and numbers outside the allow-lists before any query', async () => {
    const q = { containerId: 'C1', from: BASE_TIME, to: end, limit: 10, everyMs: MINUTE };
    const bad = [
      { ...q, fn: 'mean("temperatureC")) ; DROP MEASUREMENT telemetry --' as AggregateFunction },
      { ...q, fn: 'count' as AggregateFunction },
      { ...q, fn: 'mean' as const, everyMs: Number.NaN },
      { ...q, fn: 'mean' as const, everyMs: 1.5 },
      { ...q, fn: 'mean' as const, limit: 0 },
      { ...q, fn: 'mean' as const, from: end, to: BASE_TIME },
    ];
    for (const query of bad) {
      await assert.rejects(h.reader.aggregate(query), TelemetryQueryInvalidError, JSON.stringify(query));
    }
  });

  it('reports an unreachable InfluxDB as unavailable', async () => {
    const reader = new InfluxTelemetryReader(influxTestConfig('http://127.0.0.1:1', data.dir));
    await assert.rejects(
      reader.history({ containerId: 'C1', from: BASE_TIME, to: end, limit: 1 }),
      TelemetryStoreUnavailableError,
    );
  });
});
