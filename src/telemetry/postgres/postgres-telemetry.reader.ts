import { Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import type { ReadingSource } from '#src/contracts/reading.js';
import { OperationalDatabase } from '#src/storage/operational-database.js';
import {
  NUMERIC_FIELDS,
  TelemetryReader,
  type AggregateQuery,
  type AggregateRow,
  type HistoryQuery,
  type HistoryRow,
  type NumericField,
} from '../telemetry.ports.js';

interface ReadingRow {
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
  door_open: boolean | null;
  f_cnt: number | null;
  gateways: number | null;
  rssi: number | null;
  snr: number | null;
  lag_ms: number;
  late: boolean;
}

/** Column of each numeric field: an allow-list, so no caller text reaches SQL. */
const COLUMN: Record<NumericField, string> = {
  temperatureC: 'temperature_c',
  humidityPct: 'humidity_pct',
  shockG: 'shock_g',
  lat: 'lat',
  lon: 'lon',
  altM: 'alt_m',
  batteryPct: 'battery_pct',
};

/** Per aggregate function, the SQL of one field's value in a bucket (NULL when it has none). */
const AGGREGATE_SQL: Record<AggregateQuery['fn'], (column: string) => string> = {
  mean: (c) => `avg(${c})`,
  min: (c) => `min(${c})`,
  max: (c) => `max(${c})`,
  // The newest value of the bucket, as the embedded store's MAX(measured_at) row gives it: of
  // readings at the same instant, the first in key order (SQLite keeps the first maximum it meets).
  last: (c) =>
    `(array_agg(${c} ORDER BY measured_at DESC, device_id COLLATE "C") FILTER (WHERE ${c} IS NOT NULL))[1]`,
};

/** One bucket's values, every field in one query (the embedded store runs one per field). */
const AGGREGATE_COLUMNS = Object.fromEntries(
  Object.entries(AGGREGATE_SQL).map(([fn, expr]) => [
    fn,
    sql.raw(NUMERIC_FIELDS.map((f) => `${expr(COLUMN[f])} AS "${f}"`).join(', ')),
  ]),
) as Record<AggregateQuery['fn'], ReturnType<typeof sql.raw>>;

/** A bucket counts when at least one numeric field has a value in it (as in the embedded store). */
const ANY_NUMERIC = sql.raw(NUMERIC_FIELDS.map((f) => `${COLUMN[f]} IS NOT NULL`).join(' OR '));

/**
 * History from PostgreSQL's `readings`, with the same results as the embedded and InfluxDB
 * readers. Ties on measured_at are ordered by device id byte by byte (COLLATE "C"), as SQLite
 * compares text, whatever the database's collation. The measured_at range lets the planner
 * skip every partition outside it.
 */
@Injectable()
export class PostgresTelemetryReader extends TelemetryReader {
  constructor(private readonly store: OperationalDatabase) {
    super();
  }

  async history(q: HistoryQuery): Promise<HistoryRow[]> {
    // The newest `limit` rows of the range, returned oldest first.
    const { rows } = await sql<ReadingRow>`
      SELECT * FROM (SELECT * FROM readings
        WHERE container_id = ${q.containerId} AND measured_at >= ${q.from} AND measured_at < ${q.to}
        ORDER BY measured_at DESC, device_id COLLATE "C" DESC LIMIT ${q.limit}) newest
      ORDER BY measured_at, device_id COLLATE "C"`.execute(this.store.db);
    return rows.map(toHistoryRow);
  }

  async aggregate(q: AggregateQuery): Promise<AggregateRow[]> {
    const { rows } = await sql<{ bucket: number } & Record<NumericField, number | null>>`
      SELECT * FROM (
        SELECT measured_at - (measured_at % ${q.everyMs}) AS bucket, ${AGGREGATE_COLUMNS[q.fn]}
        FROM readings
        WHERE container_id = ${q.containerId} AND measured_at >= ${q.from} AND measured_at < ${q.to}
          AND (${ANY_NUMERIC})
        GROUP BY bucket ORDER BY bucket DESC LIMIT ${q.limit}) newest
      ORDER BY bucket`.execute(this.store.db);
    return rows.map((r) => {
      const row: AggregateRow = { time: Number(r.bucket) };
      for (const field of NUMERIC_FIELDS) {
        const value = r[field];
        if (value !== null) row[field] = Number(value);
      }
      return row;
    });
  }
}

function toHistoryRow(r: ReadingRow): HistoryRow {
  const row: HistoryRow = {
    deviceId: r.device_id,
    measuredAt: r.measured_at,
    receivedAt: r.received_at,
    source: r.source,
    quality: { lagMs: r.lag_ms, late: r.late },
  };
  if (r.shipment_id !== null) row.shipmentId = r.shipment_id;
  if (r.temperature_c !== null) row.temperatureC = r.temperature_c;
  if (r.humidity_pct !== null) row.humidityPct = r.humidity_pct;
  if (r.shock_g !== null) row.shockG = r.shock_g;
  if (r.lat !== null) row.lat = r.lat;
  if (r.lon !== null) row.lon = r.lon;
  if (r.alt_m !== null) row.altM = r.alt_m;
  if (r.battery_pct !== null) row.batteryPct = r.battery_pct;
  if (r.door_open !== null) row.doorOpen = r.door_open;
  if (r.f_cnt !== null) row.quality.fCnt = r.f_cnt;
  if (r.gateways !== null) row.quality.gateways = r.gateways;
  if (r.rssi !== null) row.quality.rssi = r.rssi;
  if (r.snr !== null) row.quality.snr = r.snr;
  return row;
}
