import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { Metrics } from '#src/common/metrics.js';
import { AppConfig } from '#src/config/app-config.js';
import type { Reading } from '#src/contracts/reading.js';
import { SqliteDatabase } from '#src/storage/sqlite-database.js';
import { EmbeddedTelemetryWriter, WRITE_CHUNK_READINGS } from './embedded-telemetry.writer.js';

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
  let db: SqliteDatabase;
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
    const config = Object.assign(new AppConfig(), {
      DATA_DIR: dir,
      TELEMETRY_BATCH_SIZE: 5000,
      TELEMETRY_FLUSH_MS: 60_000,
    });
    db = new SqliteDatabase(config);
    metrics = new Metrics();
    writer = new EmbeddedTelemetryWriter(db, config, metrics);
    writer.onModuleInit();
  });

  afterEach(() => {
    writer.beforeApplicationShutdown();
    db.onApplicationShutdown();
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

  it('flushes a big batch in chunks with a turn of the event loop between them', async () => {
    const n = WRITE_CHUNK_READINGS * 2 + 10;
    writer.write(Array.from({ length: n }, (_, i) => reading(i)));
    let storedWhenLoopTurned = -1;
    setImmediate(() => (storedWhenLoopTurned = count()));
    await writer.flush();
    assert.equal(count(), n);
    assert.equal(await transactions(), 3);
    assert.equal(storedWhenLoopTurned, WRITE_CHUNK_READINGS, 'the loop turned after the first chunk');
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

  it('writes a full batch soon, not inside write()', async () => {
    const config = Object.assign(new AppConfig(), { DATA_DIR: dir, TELEMETRY_BATCH_SIZE: 10 });
    const small = new EmbeddedTelemetryWriter(db, config, metrics);
    small.onModuleInit();
    small.write(Array.from({ length: 10 }, (_, i) => reading(i)));
    assert.equal(count(), 0, 'nothing written synchronously');
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(count(), 10);
  });

  it('writes everything at shutdown, synchronously', () => {
    writer.write(Array.from({ length: WRITE_CHUNK_READINGS * 3 }, (_, i) => reading(i)));
    writer.beforeApplicationShutdown();
    assert.equal(count(), WRITE_CHUNK_READINGS * 3);
  });
});
