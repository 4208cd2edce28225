import { Injectable } from '@nestjs/common';
import type { ReadingSource } from '#src/contracts/reading.js';
import { TelemetryDatabase } from './telemetry-database.js';
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
  door_open: number | null;
  f_cnt: number | null;
  gateways: number | null;
  rssi: number | null;
  snr: number | null;
  lag_ms: number;
  late: number;
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

const SQL_FUNCTION = { mean: 'AVG', min: 'MIN', max: 'MAX' } as const;

/** History from the embedded store, with the same results as the InfluxDB reader. */
@Injectable()
export class EmbeddedTelemetryReader extends TelemetryReader {
  constructor(private readonly sqlite: TelemetryDatabase) {
    super();
  }

  history(q: HistoryQuery): Promise<HistoryRow[]> {
    // The newest `limit` rows of the range, returned oldest first.
    const rows = this.sqlite.connection
      .prepare<[string, number, number, number], ReadingRow>(
        `SELECT * FROM (SELECT * FROM readings WHERE container_id = ? AND measured_at >= ? AND measured_at < ?
           ORDER BY measured_at DESC, device_id DESC LIMIT ?) ORDER BY measured_at, device_id`,
      )
      .all(q.containerId, q.from, q.to, q.limit);
    return Promise.resolve(rows.map(toHistoryRow));
  }

  aggregate(q: AggregateQuery): Promise<AggregateRow[]> {
    const buckets = new Map<number, AggregateRow>();
    for (const field of NUMERIC_FIELDS) {
      const column = COLUMN[field];
      const sql =
        q.fn === 'last'
          ? // SQLite returns the bare column from the row holding MAX(): the newest value.
            `SELECT measured_at - (measured_at % @every) AS bucket, ${column} AS value, MAX(measured_at) AS t`
          : `SELECT measured_at - (measured_at % @every) AS bucket, ${SQL_FUNCTION[q.fn]}(${column}) AS value`;
      const rows = this.sqlite.connection
        .prepare<Record<string, string | number>, { bucket: number; value: number }>(
          `${sql} FROM readings
           WHERE container_id = @container AND measured_at >= @from AND measured_at < @to AND ${column} IS NOT NULL
           GROUP BY bucket`,
        )
        .all({ every: q.everyMs, container: q.containerId, from: q.from, to: q.to });
      for (const { bucket, value } of rows) {
        let row = buckets.get(bucket);
        if (!row) buckets.set(bucket, (row = { time: bucket }));
        row[field] = value;
      }
    }
    const sorted = [...buckets.values()].sort((a, b) => a.time - b.time);
    return Promise.resolve(sorted.slice(Math.max(0, sorted.length - q.limit)));
  }
}

function toHistoryRow(r: ReadingRow): HistoryRow {
  const row: HistoryRow = {
    deviceId: r.device_id,
    measuredAt: r.measured_at,
    receivedAt: r.received_at,
    source: r.source,
    quality: { lagMs: r.lag_ms, late: r.late === 1 },
  };
  if (r.shipment_id !== null) row.shipmentId = r.shipment_id;
  if (r.temperature_c !== null) row.temperatureC = r.temperature_c;
  if (r.humidity_pct !== null) row.humidityPct = r.humidity_pct;
  if (r.shock_g !== null) row.shockG = r.shock_g;
  if (r.lat !== null) row.lat = r.lat;
  if (r.lon !== null) row.lon = r.lon;
  if (r.alt_m !== null) row.altM = r.alt_m;
  if (r.battery_pct !== null) row.batteryPct = r.battery_pct;
  if (r.door_open !== null) row.doorOpen = r.door_open === 1;
  if (r.f_cnt !== null) row.quality.fCnt = r.f_cnt;
  if (r.gateways !== null) row.quality.gateways = r.gateways;
  if (r.rssi !== null) row.quality.rssi = r.rssi;
  if (r.snr !== null) row.quality.snr = r.snr;
  return row;
}
