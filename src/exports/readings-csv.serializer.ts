import type { HistoryRow } from '#src/telemetry/telemetry.ports.js';
import { csvLine } from '#src/records/temperature-csv.serializer.js';

/** Columns of the readings CSV an auditor receives (RFC 4180, CRLF, ISO-8601 UTC times). */
export const READINGS_CSV_HEADER = [
  'measured_at',
  'received_at',
  'device_id',
  'temperature_c',
  'humidity_pct',
  'shock_g',
  'lat',
  'lon',
  'alt_m',
  'battery_pct',
  'door_open',
  'late',
] as const;

const flag = (value: boolean | undefined): string | undefined =>
  value === undefined ? undefined : String(value);

/** Every reading as one CSV line, oldest first; formula-looking text is neutralised by csvLine. */
export function readingsCsv(rows: readonly HistoryRow[]): string {
  const lines = [csvLine(READINGS_CSV_HEADER)];
  for (const r of rows) {
    lines.push(
      csvLine([
        new Date(r.measuredAt).toISOString(),
        new Date(r.receivedAt).toISOString(),
        r.deviceId,
        r.temperatureC,
        r.humidityPct,
        r.shockG,
        r.lat,
        r.lon,
        r.altM,
        r.batteryPct,
        flag(r.doorOpen),
        flag(r.quality.late),
      ]),
    );
  }
  return lines.join('\r\n') + '\r\n';
}
