import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { Metrics } from '#src/common/metrics.js';
import { defaultConfig } from '#src/app-settings.js';
import type { Reading } from '#src/contracts/reading.js';
import { SqliteDatabase } from '#src/storage/sqlite-database.js';
import { EmbeddedTelemetryWriter } from './embedded-telemetry.writer.js';
import { TelemetryDatabase } from './telemetry-database.js';
import { WRITE_CHUNK_READINGS } from './reading-rows.writer.js';
import type { BatchSequence } from '../batch-sequence.js';

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

describe(EmbeddedTelemetryWriter.name, () => {
  let dir: string;
  let main: SqliteDatabase;
  let db: TelemetryDatabase;
  let writer: EmbeddedTelemetryWriter;
  let metrics: Metrics;

  const count = () => (db.connection.prepare('SELECT count(*) AS n FROM readings').get() as { n: number }).n;
  const transactions = async () => {
    const { values } = await metrics.registry.getSingleMetric('convoi_telemetry_batch_seconds')!.get();
    const named = values as { metricName?: string; value: number }[];
    return named.find((v) => v.metricName === 'convoi_telemetry_batch_seconds_count')?.value ?? 0;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'embedded-writer-'));
    const config = defaultConfig({
      DATA_DIR: dir,
      TELEMETRY_BATCH_SIZE: 5000,
      TELEMETRY_FLUSH_MS: 60_000,
    });
    main = new SqliteDatabase(config);
    db = new TelemetryDatabase(config, main);
    metrics = new Metrics();
    writer = new EmbeddedTelemetryWriter(db, config, metrics);
    writer.onModuleInit();
  });

  afterEach(async () => {
    await writer.beforeApplicationShutdown();
    await db.onApplicationShutdown();
    await main.onApplicationShutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores every field of a reading in its column', async () => {
    writer.write([
      reading(0, {
        shipmentId: 'S1',
        source: 'chirpstack',
        humidityPct: 81.5,
        shockG: 1.25,
        lat: 45.6,
        lon: 5.1,
        altM: 210,
        batteryPct: 97,
        doorOpen: true,
        quality: { fCnt: 7, gateways: 2, rssi: -101, snr: 7.5, lagMs: 40, late: true },
      }),
      reading(1),
    ]);
    await writer.flush();
    const rows = db.connection.prepare('SELECT * FROM readings ORDER BY measured_at').all();
    assert.deepEqual(rows, [
      {
        container_id: 'C1',
        measured_at: T,
        device_id: 'D1',
        received_at: T + 5,
        shipment_id: 'S1',
        source: 'chirpstack',
        temperature_c: 4,
        humidity_pct: 81.5,
        shock_g: 1.25,
        lat: 45.6,
        lon: 5.1,
        alt_m: 210,
        battery_pct: 97,
        door_open: 1,
        f_cnt: 7,
        gateways: 2,
        rssi: -101,
        snr: 7.5,
        lag_ms: 40,
        late: 1,
      },
      {
        container_id: 'C1',
        measured_at: T + 1000,
        device_id: 'D1',
        received_at: T + 1005,
        shipment_id: null,
        source: 'json',
        temperature_c: 4,
        humidity_pct: null,
        shock_g: null,
        lat: null,
        lon: null,
        alt_m: null,
        battery_pct: null,
        door_open: null,
        f_cnt: null,
        gateways: null,
        rssi: null,
        snr: null,
        lag_ms: 5,
        late: 0,
      },
    ]);
  });

  it('merges a reading written again at its key field by field, as InfluxDB merges a point', async () => {
    writer.write([reading(0, { temperatureC: -19.7, humidityPct: 50, shipmentId: 'S1' })]);
    await writer.flush();
    writer.write([
      reading(0, {
        receivedAt: T + 900,
        temperatureC: undefined,
        doorOpen: true,
        quality: { lagMs: 900, late: false },
      }),
    ]);
    await writer.flush();
    const rows = db.connection
      .prepare(
        'SELECT received_at, shipment_id, temperature_c, humidity_pct, door_open, lag_ms FROM readings',
      )
      .all();
    // Not replaced: the −19.7 °C of the first write stays; the second brings the door and its times.
    assert.deepEqual(rows, [
      {
        received_at: T + 900,
        shipment_id: 'S1',
        temperature_c: -19.7,
        humidity_pct: 50,
        door_open: 1,
        lag_ms: 900,
      },
    ]);
  });

  it('stores a big batch in transactions of a few hundred readings', async () => {
    const n = WRITE_CHUNK_READINGS * 2 + 10;
    writer.write(Array.from({ length: n }, (_, i) => reading(i)));
    await writer.flush();
    assert.equal(count(), n);
    assert.equal(await transactions(), 3);
  });

  it('stores on a thread of its own: the main thread is free while the rows go in', async () => {
    writer.write(Array.from({ length: 20_000 }, (_, i) => reading(i)));
    const flushed = writer.flush();
    assert.equal(count(), 0, 'nothing stored by the call itself');
    let turns = 0;
    let stored = false;
    void flushed.then(() => (stored = true));
    while (!stored) {
      await new Promise((resolve) => setImmediate(resolve));
      turns++;
    }
    assert.equal(count(), 20_000);
    assert.ok(turns > 1, `the event loop turned ${turns} times while 20,000 rows were stored`);
  });

  it('stores on the main connection what a dead thread did not confirm, and what comes after', async () => {
    writer.write(Array.from({ length: 3000 }, (_, i) => reading(i)));
    void writer.flush();
    const thread = (writer as unknown as { thread: { worker: { terminate(): Promise<number> } } }).thread;
    await thread.worker.terminate();
    await waitFor(() => (writer as unknown as { thread?: object }).thread === undefined);
    writer.write([reading(5000)]);
    await writer.flush();
    assert.equal(count(), 3001);
  });

  it('resolves a flush once what was written before it is stored, even while more arrives', async () => {
    writer.write(Array.from({ length: WRITE_CHUNK_READINGS + 1 }, (_, i) => reading(i)));
    const flushed = writer.flush();
    writer.write([reading(10_000)]);
    await flushed;
    assert.ok(count() >= WRITE_CHUNK_READINGS + 1);
    await writer.flush();
    assert.equal(count(), WRITE_CHUNK_READINGS + 2);
  });

  it('holds what is flushed while a batch is in flight, and sends it in one batch once that one is stored', async () => {
    writer.write([reading(0)]);
    const first = writer.flush();
    writer.write([reading(1)]);
    const second = writer.flush();
    writer.write([reading(2)]);
    const third = writer.flush();
    await Promise.all([first, second, third]);
    assert.equal(count(), 3);
    assert.equal(await transactions(), 2, 'the two rows behind the first batch share a transaction');
  });

  it('sends a full batch without waiting for the batch in flight: what waits stays within a batch', async () => {
    const config = defaultConfig({
      DATA_DIR: dir,
      TELEMETRY_BATCH_SIZE: 10,
      TELEMETRY_FLUSH_MS: 60_000,
    });
    const small = new EmbeddedTelemetryWriter(db, config, metrics);
    small.onModuleInit();
    const sent = () => (small as unknown as { batches: BatchSequence }).batches.lastSent;
    try {
      small.write([reading(0)]);
      const first = small.flush();
      small.write([reading(1)]);
      const held = small.flush();
      assert.equal(sent(), 1, 'one row waits for the batch in flight');
      small.write(Array.from({ length: 9 }, (_, i) => reading(i + 2)));
      const full = small.flush();
      assert.equal(sent(), 2, 'a full batch is sent while the first is in flight');
      await Promise.all([first, held, full]);
      assert.equal(count(), 11);
    } finally {
      await small.beforeApplicationShutdown();
    }
  });

  it('stores what waited behind a batch in flight when the thread dies', async () => {
    writer.write(Array.from({ length: 3000 }, (_, i) => reading(i)));
    const first = writer.flush();
    writer.write([reading(5000)]);
    const second = writer.flush();
    const thread = (writer as unknown as { thread: { worker: { terminate(): Promise<number> } } }).thread;
    await thread.worker.terminate();
    await Promise.all([first, second]);
    assert.equal(count(), 3001);
  });

  it('sends a full batch at once, without waiting for TELEMETRY_FLUSH_MS', async () => {
    const config = defaultConfig({
      DATA_DIR: dir,
      TELEMETRY_BATCH_SIZE: 10,
      TELEMETRY_FLUSH_MS: 60_000,
    });
    const small = new EmbeddedTelemetryWriter(db, config, metrics);
    small.onModuleInit();
    try {
      small.write(Array.from({ length: 10 }, (_, i) => reading(i)));
      assert.equal(count(), 0, 'nothing written synchronously');
      await waitFor(() => count() === 10);
    } finally {
      await small.beforeApplicationShutdown();
    }
  });

  it('stores everything at shutdown', async () => {
    writer.write(Array.from({ length: WRITE_CHUNK_READINGS * 3 }, (_, i) => reading(i)));
    await writer.beforeApplicationShutdown();
    assert.equal(count(), WRITE_CHUNK_READINGS * 3);
  });
});

/** Polls `done` every 10 ms for up to 5 s. */
async function waitFor(done: () => boolean): Promise<void> {
  const until = Date.now() + 5000;
  while (!done()) {
    if (Date.now() > until) throw new Error('condition not met within 5 s');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
