import type { RecordReading } from './record.types.js';
import { bandStatus, type TemperatureBand } from './temperature-excursions.util.js';

/**
 * The temperature series of a record as CSV (RFC 4180): a header line, CRLF line ends, fields
 * quoted when they hold a comma, a double quote, CR or LF, quotes doubled inside. Times are
 * ISO-8601 UTC with milliseconds. Numbers are written as JavaScript prints them (dot decimal), so
 * a spreadsheet in any locale reads the same digits.
 *
 * Columns: `measured_at,temperature_c,status` with status `in-range | above | below`.
 */
export const TEMPERATURE_CSV_HEADER = ['measured_at', 'temperature_c', 'status'] as const;

/** `readings` as given (the record's series is already sorted); readings without a temperature are skipped. */
export function temperatureSeriesCsv(readings: readonly RecordReading[], band: TemperatureBand): string {
  const lines = [csvLine(TEMPERATURE_CSV_HEADER)];
  for (const r of readings) {
    if (typeof r.temperatureC !== 'number' || !Number.isFinite(r.temperatureC)) continue;
    lines.push(
      csvLine([new Date(r.measuredAt).toISOString(), r.temperatureC, bandStatus(band, r.temperatureC)]),
    );
  }
  return lines.join('\r\n') + '\r\n';
}

/** One CSV record (no line end). */
export function csvLine(fields: readonly (string | number | null | undefined)[]): string {
  return fields.map(csvField).join(',');
}

/**
 * One CSV field. Text starting with `=`, `+`, `-`, `@`, tab or CR is prefixed with `'` so a
 * spreadsheet does not run it as a formula (OWASP CSV injection); numbers are never altered, so a
 * negative temperature stays a number.
 */
export function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
