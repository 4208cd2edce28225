import type { ReadingSource } from '#src/contracts/reading.js';
import type { HistoryRow, NumericField } from './telemetry.ports.js';

/**
 * A row of the `readings` table as the embedded store and PostgreSQL both return it: the same
 * columns on both (embedded-telemetry.migrations.ts, postgres-telemetry.migrations.ts); the flags
 * are 0/1 in SQLite and booleans in PostgreSQL.
 */
export interface StoredReadingRow {
  measured_at: number;
  device_id: string;
  received_at: number;
  shipment_id: string | null;
  source: ReadingSource;
  temperature_c: number | null;
  humidity_pct: number | null;
  shock_g: number | null;
  lat: number | null;
  lon: number | null;
  alt_m: number | null;
  battery_pct: number | null;
  door_open: number | boolean | null;
  f_cnt: number | null;
  gateways: number | null;
  rssi: number | null;
  snr: number | null;
  lag_ms: number;
  late: number | boolean;
}

/** Column of each numeric field: an allow-list, so no caller text reaches SQL. */
export const NUMERIC_COLUMN: Record<NumericField, string> = {
  temperatureC: 'temperature_c',
  humidityPct: 'humidity_pct',
  shockG: 'shock_g',
  lat: 'lat',
  lon: 'lon',
  altM: 'alt_m',
  batteryPct: 'battery_pct',
};

/** The history row of a stored reading: only the fields it has. */
export function toHistoryRow(r: StoredReadingRow): HistoryRow {
  const row: HistoryRow = {
    deviceId: r.device_id,
    measuredAt: r.measured_at,
    receivedAt: r.received_at,
    source: r.source,
    quality: { lagMs: r.lag_ms, late: Boolean(r.late) },
  };
  if (r.shipment_id !== null) row.shipmentId = r.shipment_id;
  if (r.temperature_c !== null) row.temperatureC = r.temperature_c;
  if (r.humidity_pct !== null) row.humidityPct = r.humidity_pct;
  if (r.shock_g !== null) row.shockG = r.shock_g;
  if (r.lat !== null) row.lat = r.lat;
  if (r.lon !== null) row.lon = r.lon;
  if (r.alt_m !== null) row.altM = r.alt_m;
  if (r.battery_pct !== null) row.batteryPct = r.battery_pct;
  if (r.door_open !== null) row.doorOpen = Boolean(r.door_open);
  if (r.f_cnt !== null) row.quality.fCnt = r.f_cnt;
  if (r.gateways !== null) row.quality.gateways = r.gateways;
  if (r.rssi !== null) row.quality.rssi = r.rssi;
  if (r.snr !== null) row.quality.snr = r.snr;
  return row;
}
