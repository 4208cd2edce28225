import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Reading } from '#src/contracts/reading.js';
import {
  AGGREGATE_FUNCTIONS,
  type AggregateQuery,
  type HistoryQuery,
} from '#src/telemetry/telemetry.ports.js';
import { startPostgres, withClient, type PostgresServer } from '#test/support/postgres.js';
import { openSeriesStore, type SeriesStore, type SeriesStoreKind } from '#test/support/telemetry-stores.js';

const T0 = Date.UTC(2026, 10, 22, 10);
const S = 1000;

function reading(
  deviceId: string,
  measuredAt: number,
  values: Partial<Reading>,
  containerId = 'C1',
): Reading {
  return {
    deviceId,
    containerId,
    measuredAt,
    receivedAt: measuredAt + 7,
    source: 'json',
    dedupeKey: `${deviceId}:${measuredAt}`,
    quality: { lagMs: 7, late: false },
    ...values,
  };
}

/** Two devices (ids that sort apart in byte order and in most collations), ties, gaps, fields missing. */
const READINGS: readonly Reading[] = [
  reading('a', T0, {
    temperatureC: 2,
    humidityPct: 80,
    quality: { fCnt: 3, rssi: -90, snr: 7.5, lagMs: 7, late: false },
  }),
  reading('B', T0, { temperatureC: 4, shipmentId: 'S1' }),
  reading('a', T0 + 30 * S, { temperatureC: 3, batteryPct: 90 }),
  reading('a', T0 + 60 * S, { temperatureC: 5.5, shockG: 1.5, lat: 45.5, lon: 5.25, altM: 200 }),
  reading('a', T0 + 90 * S, { doorOpen: true }),
  reading('a', T0 + 120 * S, { humidityPct: 70, quality: { gateways: 2, lagMs: 7, late: true } }),
  reading('a', T0 + 180 * S, { doorOpen: false }),
  reading('a', T0, { temperatureC: 99 }, 'C2'),
];

const hour = (limit: number, from = T0, to = T0 + 3600 * S): HistoryQuery => ({
  containerId: 'C1',
  from,
  to,
  limit,
});
const every = (fn: AggregateQuery['fn'], everyMs: number, limit = 100): AggregateQuery => ({
  ...hour(limit),
  fn,
  everyMs,
});

/** The same expectations of each store, on the same readings. */
function historySpec(kind: SeriesStoreKind, url: () => Promise<string | undefined>): void {
  describe(`history on the ${kind} store`, () => {
    let series: SeriesStore;
    before(async () => {
      series = await openSeriesStore(kind, { url: await url() });
      series.writer.write(READINGS);
      await series.writer.flush();
    });
    after(() => series.close());

    it('returns the range oldest first, ties by device id in byte order, with every field', async () => {
      const rows = await series.reader.history(hour(100));
      assert.deepEqual(
        rows.map((r) => [r.measuredAt - T0, r.deviceId]),
        [
          [0, 'B'],
          [0, 'a'],
          [30 * S, 'a'],
          [60 * S, 'a'],
          [90 * S, 'a'],
          [120 * S, 'a'],
          [180 * S, 'a'],
        ],
      );
      assert.deepEqual(rows[1], {
        deviceId: 'a',
        measuredAt: T0,
        receivedAt: T0 + 7,
        source: 'json',
        temperatureC: 2,
        humidityPct: 80,
        quality: { fCnt: 3, rssi: -90, snr: 7.5, lagMs: 7, late: false },
      });
      assert.equal(rows[0].shipmentId, 'S1');
      assert.equal(rows[4].doorOpen, true);
      assert.deepEqual(rows[5].quality, { gateways: 2, lagMs: 7, late: true });
    });

    it('keeps the newest `limit` rows, and `to` out of the range', async () => {
      assert.deepEqual(
        (await series.reader.history(hour(2))).map((r) => r.measuredAt - T0),
        [120 * S, 180 * S],
      );
      assert.deepEqual(
        (await series.reader.history(hour(100, T0 + 30 * S, T0 + 90 * S))).map((r) => r.measuredAt - T0),
        [30 * S, 60 * S],
      );
    });

    it('aggregates each field per bucket; a bucket with no numeric value is left out', async () => {
      assert.deepEqual(await series.reader.aggregate(every('mean', 60 * S)), [
        { time: T0, temperatureC: 3, humidityPct: 80, batteryPct: 90 },
        { time: T0 + 60 * S, temperatureC: 5.5, shockG: 1.5, lat: 45.5, lon: 5.25, altM: 200 },
        { time: T0 + 120 * S, humidityPct: 70 },
      ]);
      assert.deepEqual((await series.reader.aggregate(every('max', 60 * S)))[0], {
        time: T0,
        temperatureC: 4,
        humidityPct: 80,
        batteryPct: 90,
      });
      assert.deepEqual((await series.reader.aggregate(every('last', 60 * S)))[0], {
        time: T0,
        temperatureC: 3,
        humidityPct: 80,
        batteryPct: 90,
      });
      assert.deepEqual(
        (await series.reader.aggregate(every('min', 60 * S, 2))).map((r) => r.time - T0),
        [60 * S, 120 * S],
      );
    });
  });
}

describe('time-series history: embedded store and PostgreSQL', () => {
  let server: PostgresServer;
  before(async () => {
    server = await startPostgres();
  });
  after(() => server.stop());

  historySpec('embedded', () => Promise.resolve(undefined));
  historySpec('postgres', () => server.createDatabase());

  it('gives the same answers on both stores for every query shape', async () => {
    const embedded = await openSeriesStore('embedded');
    // A database whose collation puts 'a' before 'B' (ICU, as en_US does): ties still sort as SQLite's.
    await withClient(server.url, (c) =>
      c.query(`CREATE DATABASE icu_en TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C'`),
    );
    const postgres = await openSeriesStore('postgres', { url: server.url.replace(/\/postgres$/, '/icu_en') });
    try {
      for (const s of [embedded, postgres]) {
        s.writer.write(READINGS);
        await s.writer.flush();
      }
      const histories = [
        hour(1),
        hour(3),
        hour(100),
        hour(100, T0 + S, T0 + 120 * S),
        hour(100, T0 + 200 * S),
      ];
      for (const q of histories)
        assert.deepEqual(
          await postgres.reader.history(q),
          await embedded.reader.history(q),
          JSON.stringify(q),
        );
      for (const fn of AGGREGATE_FUNCTIONS)
        for (const width of [S, 45 * S, 60 * S, 3600 * S])
          for (const limit of [1, 2, 100]) {
            const q = every(fn, width, limit);
            assert.deepEqual(
              await postgres.reader.aggregate(q),
              await embedded.reader.aggregate(q),
              JSON.stringify(q),
            );
          }
    } finally {
      await embedded.close();
      await postgres.close();
    }
  });
});
