import type { StoreMigration } from '#src/storage/store-migration.js';

/** Migration scope of the time series on PostgreSQL. */
export const POSTGRES_TELEMETRY_SCOPE = 'telemetry-postgres';

/** Only PostgreSQL: on SQLite the embedded store (telemetry.sqlite) keeps the time series. */
const NOT_ON_SQLITE = 'SELECT 1';

/**
 * The time series when PostgreSQL is the operational store and InfluxDB is not configured. The
 * same tables and columns as the embedded store (embedded-telemetry.migrations.ts), so both keep
 * and return the same rows. `readings` is partitioned by day on measured_at
 * (postgres-reading-partitions.ts creates the partitions, retention drops whole ones); its
 * primary key includes the partition key, as PostgreSQL requires of a unique key on a
 * partitioned table, and is the key replays merge on.
 */
export const POSTGRES_TELEMETRY_MIGRATIONS: readonly StoreMigration[] = [
  {
    version: 1,
    description: 'readings partitioned by day on measured_at; alert events',
    up: {
      sqlite: NOT_ON_SQLITE,
      postgres: `
        CREATE TABLE readings (
          container_id TEXT NOT NULL, measured_at BIGINT NOT NULL, device_id TEXT NOT NULL,
          received_at BIGINT NOT NULL, shipment_id TEXT, source TEXT NOT NULL,
          temperature_c DOUBLE PRECISION, humidity_pct DOUBLE PRECISION, shock_g DOUBLE PRECISION,
          lat DOUBLE PRECISION, lon DOUBLE PRECISION, alt_m DOUBLE PRECISION,
          battery_pct DOUBLE PRECISION, door_open BOOLEAN,
          f_cnt BIGINT, gateways BIGINT, rssi DOUBLE PRECISION, snr DOUBLE PRECISION,
          lag_ms BIGINT NOT NULL, late BOOLEAN NOT NULL,
          PRIMARY KEY (container_id, measured_at, device_id)
        ) PARTITION BY RANGE (measured_at);
        CREATE TABLE alert_events (
          container_id TEXT NOT NULL, at BIGINT NOT NULL, alert_id TEXT NOT NULL, change TEXT NOT NULL,
          rule TEXT NOT NULL, severity TEXT NOT NULL, status TEXT NOT NULL, value DOUBLE PRECISION,
          message TEXT NOT NULL,
          PRIMARY KEY (container_id, at, alert_id, change)
        );
        CREATE INDEX alert_events_at ON alert_events (at);
      `,
    },
  },
];
