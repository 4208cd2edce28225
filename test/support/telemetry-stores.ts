import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Clock } from '#src/common/clock.js';
import { Metrics } from '#src/common/metrics.js';
import type { AppConfig } from '#src/app-settings.js';
import { defaultConfig } from '#src/app-settings.js';
import { JobLeases } from '#src/leases/job-leases.js';
import { LeasesConfig } from '#src/leases/leases.config.js';
import { OperationalDatabase } from '#src/storage/operational-database.js';
import { OperationalStoreConfig } from '#src/storage/operational-store.config.js';
import { SqliteDatabase } from '#src/storage/sqlite-database.js';
import { EmbeddedTelemetryReader } from '#src/telemetry/embedded/embedded-telemetry.reader.js';
import { EmbeddedTelemetryWriter } from '#src/telemetry/embedded/embedded-telemetry.writer.js';
import { TelemetryDatabase } from '#src/telemetry/embedded/telemetry-database.js';
import { PostgresTelemetryConfig } from '#src/telemetry/postgres/postgres-telemetry.config.js';
import { PostgresTelemetryMaintenance } from '#src/telemetry/postgres/postgres-telemetry.maintenance.js';
import { PostgresTelemetryReader } from '#src/telemetry/postgres/postgres-telemetry.reader.js';
import { PostgresTelemetryWriter } from '#src/telemetry/postgres/postgres-telemetry.writer.js';
import type { TelemetryReader, TelemetryWriter } from '#src/telemetry/telemetry.ports.js';

/** The time-series stores convoi has without InfluxDB. */
export type SeriesStoreKind = 'embedded' | 'postgres';

/** A time-series store opened as the app opens it (writer, reader, and their database). */
export interface SeriesStore {
  kind: SeriesStoreKind;
  writer: TelemetryWriter;
  reader: TelemetryReader;
  metrics: Metrics;
  /** PostgreSQL only: the operational store and the maintenance step. */
  store?: OperationalDatabase;
  maintenance?: PostgresTelemetryMaintenance;
  /** Shuts the writer down (flushing) and closes every connection; removes the temp dir. */
  close(): Promise<void>;
}

export interface SeriesStoreOptions {
  /** PostgreSQL database URL (postgres only). */
  url?: string;
  settings?: Partial<AppConfig>;
  clock?: Clock;
}

/** Opens a store of `kind` in a fresh temp DATA_DIR (and, for postgres, the database at `url`). */
export async function openSeriesStore(
  kind: SeriesStoreKind,
  options: SeriesStoreOptions = {},
): Promise<SeriesStore> {
  const dir = mkdtempSync(join(tmpdir(), `series-${kind}-`));
  const config = defaultConfig({
    DATA_DIR: dir,
    TELEMETRY_BATCH_SIZE: 5000,
    TELEMETRY_FLUSH_MS: 60_000,
    ...options.settings,
  });
  const sqlite = new SqliteDatabase(config);
  const metrics = new Metrics();
  if (kind === 'embedded') {
    const db = new TelemetryDatabase(config, sqlite);
    const writer = new EmbeddedTelemetryWriter(db, config, metrics);
    writer.onModuleInit();
    return {
      kind,
      writer,
      reader: new EmbeddedTelemetryReader(db),
      metrics,
      async close() {
        await writer.beforeApplicationShutdown();
        await db.onApplicationShutdown();
        await sqlite.onApplicationShutdown();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  if (options.url === undefined) throw new Error('a postgres series store needs a database url');
  const store = new OperationalDatabase(new OperationalStoreConfig({ DATABASE_URL: options.url }), sqlite);
  const slice = new PostgresTelemetryConfig(config);
  const writer = new PostgresTelemetryWriter(store, slice, metrics);
  // The leases of a node of its own: of several stores on one database, the first opened applies the retention.
  const leases = new JobLeases(new LeasesConfig({ DATABASE_URL: options.url }), metrics);
  const maintenance = new PostgresTelemetryMaintenance(
    store,
    writer,
    slice,
    options.clock ?? new Clock(),
    leases,
  );
  await maintenance.onModuleInit();
  return {
    kind,
    writer,
    reader: new PostgresTelemetryReader(store),
    metrics,
    store,
    maintenance,
    async close() {
      await writer.beforeApplicationShutdown();
      await maintenance.onApplicationShutdown();
      await leases.onApplicationShutdown();
      await store.onApplicationShutdown();
      await sqlite.onApplicationShutdown();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
