import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Clock } from '#src/common/clock.js';
import { Metrics } from '#src/common/metrics.js';
import type { AppConfig } from '#src/app-settings.js';
import { defaultConfig } from '#src/app-settings.js';
import type { Reading } from '#src/contracts/reading.js';
import { JobLeases } from '#src/leases/job-leases.js';
import { LeasesConfig } from '#src/leases/leases.config.js';
import { OperationalDatabase } from '#src/storage/operational-database.js';
import { OperationalStoreConfig } from '#src/storage/operational-store.config.js';
import { SqliteDatabase } from '#src/storage/sqlite-database.js';
import { PostgresInfluxOutbox } from '#src/telemetry/influx/postgres-influx-outbox.js';
import { SqliteInfluxOutbox } from '#src/telemetry/influx/sqlite-influx-outbox.js';
import { InfluxTelemetryReader } from '#src/telemetry/influx/influx-telemetry.reader.js';
import { InfluxTelemetryWriter } from '#src/telemetry/influx/influx-telemetry.writer.js';
import { startFaultProxy, type FaultProxy } from './fault-proxy.js';
import { startInflux, type InfluxServer } from './influx-server.js';
import { startShim, type HttpFront } from './influx-v2-shim.js';

/** influxd, the v2 shim in front of it, and the fault proxy in front of the shim. */
export interface InfluxStack {
  influx: InfluxServer;
  shim: HttpFront;
  proxy: FaultProxy;
  close(): Promise<void>;
}

export async function startInfluxStack(): Promise<InfluxStack> {
  const influx = await startInflux();
  const shim = await startShim(influx.url);
  const proxy = await startFaultProxy(shim.url);
  return {
    influx,
    shim,
    proxy,
    close: async () => {
      await proxy.close();
      await shim.close();
      await influx.close();
    },
  };
}

/** Settings for tests: small batches and short backoff, so the suite stays fast. */
export function influxTestConfig(
  url: string,
  dataDir: string,
  overrides: Partial<AppConfig> = {},
): AppConfig {
  return defaultConfig({
    DATA_DIR: dataDir,
    INFLUX_URL: url,
    INFLUX_BUCKET: 'telemetry/autogen',
    INFLUX_BATCH_SIZE: 500,
    INFLUX_FLUSH_MS: 20,
    INFLUX_MAX_IN_FLIGHT: 4,
    INFLUX_TIMEOUT_MS: 2000,
    INFLUX_RETRY_MIN_MS: 100,
    INFLUX_RETRY_MAX_MS: 500,
    ...overrides,
  });
}

/**
 * A writer and a reader built by hand around a real operational store (the SQLite file, or
 * PostgreSQL when the config has DATABASE_URL), as Nest would build them.
 */
export interface WriterHarness {
  config: AppConfig;
  sqlite: SqliteDatabase;
  store: OperationalDatabase;
  leases: JobLeases;
  metrics: Metrics;
  writer: InfluxTelemetryWriter;
  reader: InfluxTelemetryReader;
  /** Shuts the writer down (flush, persist the rest), gives the lease up and closes the stores; keeps the data dir. */
  shutdown(): Promise<void>;
}

export async function openWriter(config: AppConfig): Promise<WriterHarness> {
  const sqlite = new SqliteDatabase(config);
  const store = new OperationalDatabase(new OperationalStoreConfig(config), sqlite);
  const metrics = new Metrics();
  const clock = new Clock();
  const leases = new JobLeases(new LeasesConfig(config), metrics);
  const outbox =
    store.dialect === 'postgres'
      ? new PostgresInfluxOutbox(store, clock, sqlite)
      : new SqliteInfluxOutbox(sqlite, clock);
  const writer = new InfluxTelemetryWriter(config, outbox, metrics, clock, leases);
  await writer.onModuleInit();
  return {
    config,
    sqlite,
    store,
    leases,
    metrics,
    writer,
    reader: new InfluxTelemetryReader(config),
    shutdown: async () => {
      await writer.beforeApplicationShutdown();
      await leases.onApplicationShutdown();
      await store.onApplicationShutdown();
      await sqlite.onApplicationShutdown();
    },
  };
}

export function tempDataDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'convoi-influx-data-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export const BASE_TIME = Date.UTC(2026, 10, 20, 0, 0, 0);

/** A plausible reading; `i` makes measuredAt unique (one per second from BASE_TIME). */
export function makeReading(i: number, overrides: Partial<Reading> = {}): Reading {
  const measuredAt = BASE_TIME + i * 1000;
  return {
    deviceId: 'D1',
    containerId: 'C1',
    measuredAt,
    receivedAt: measuredAt + 250,
    source: 'json',
    dedupeKey: `D1:${i}`,
    temperatureC: 2 + (i % 10) / 10,
    quality: { lagMs: 250, late: false },
    ...overrides,
  };
}

/** Polls `check` until it returns true, or fails after `timeoutMs`. */
export async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The value of a counter (summed over labels) in a Metrics registry. */
export async function counterValue(metrics: Metrics, name: string): Promise<number> {
  const metric = metrics.registry.getSingleMetric(name);
  if (!metric) return 0;
  const { values } = await metric.get();
  return values.reduce((sum, v) => sum + v.value, 0);
}
