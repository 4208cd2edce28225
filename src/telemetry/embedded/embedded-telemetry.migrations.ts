import type { Migration } from '#src/storage/migration.js';

/**
 * The embedded time-series store (used when INFLUX_URL is unset). A reading is keyed, as in
 * InfluxDB, by its series (container, device) and measuredAt: writing it again merges it into the
 * row as InfluxDB does (reading-row.ts), so replays are idempotent. WITHOUT ROWID keeps rows clustered by container and time for history.
 */
export const EMBEDDED_TELEMETRY_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'readings table keyed by container, measuredAt, device',
    up: `
      CREATE TABLE readings (
        container_id TEXT NOT NULL, measured_at INTEGER NOT NULL, device_id TEXT NOT NULL,
        received_at INTEGER NOT NULL, shipment_id TEXT, source TEXT NOT NULL,
        temperature_c REAL, humidity_pct REAL, shock_g REAL, lat REAL, lon REAL, alt_m REAL,
        battery_pct REAL, door_open INTEGER,
        f_cnt INTEGER, gateways INTEGER, rssi REAL, snr REAL, lag_ms INTEGER NOT NULL, late INTEGER NOT NULL,
        PRIMARY KEY (container_id, measured_at, device_id)
      ) WITHOUT ROWID;
      CREATE INDEX readings_measured_at ON readings(measured_at);
    `,
  },
  {
    version: 2,
    description: 'alert events (the InfluxDB "alert" measurement of the embedded store)',
    up: `
      CREATE TABLE alert_events (
        container_id TEXT NOT NULL, at INTEGER NOT NULL, alert_id TEXT NOT NULL, change TEXT NOT NULL,
        rule TEXT NOT NULL, severity TEXT NOT NULL, status TEXT NOT NULL, value REAL, message TEXT NOT NULL,
        PRIMARY KEY (container_id, at, alert_id, change)
      ) WITHOUT ROWID;
    `,
  },
];
