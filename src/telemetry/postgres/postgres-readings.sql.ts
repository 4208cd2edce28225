import { sql, type Kysely } from 'kysely';
import type { AlertEvent } from '#src/contracts/alert-event.js';
import { MERGE_READING_ON_CONFLICT } from '../reading-merge.sql.js';
import { booleanArrayLiteral, numberArrayLiteral, textArrayLiteral } from './postgres-array-literal.js';
import type { ReadingColumns } from './reading-columns.js';

/**
 * Inserts rows given as one array parameter per column, unnested together (twenty parameters
 * however many rows: the statement's text never changes, so it is prepared once per connection,
 * postgres-readings.session.ts). Refused as a whole (unique violation) when a row's key
 * (container, measuredAt, device) is stored already: then {@link MERGE_READINGS} stores the batch.
 * Its values: {@link insertReadingsValues}.
 */
export const INSERT_READINGS = `INSERT INTO readings (container_id, measured_at, device_id, received_at,
    shipment_id, source, temperature_c, humidity_pct, shock_g, lat, lon, alt_m, battery_pct, door_open,
    f_cnt, gateways, rssi, snr, lag_ms, late)
  SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::bigint[], $5::text[], $6::text[],
    $7::float8[], $8::float8[], $9::float8[], $10::float8[], $11::float8[], $12::float8[], $13::float8[],
    $14::boolean[], $15::bigint[], $16::bigint[], $17::float8[], $18::float8[], $19::bigint[], $20::boolean[])`;

/**
 * {@link INSERT_READINGS} where a row whose key is stored already is merged into it field by field,
 * as the embedded store (reading-row.ts) and InfluxDB merge a point written again. The rows' keys
 * must be distinct (mergeRepeatedKeys merges repeats). Dearer than the plain INSERT for
 * new rows: PostgreSQL looks each key up before inserting it (a speculative insertion) and logs a
 * third WAL record per row to confirm it.
 */
export const MERGE_READINGS = `${INSERT_READINGS} ${MERGE_READING_ON_CONFLICT}`;

/**
 * The parameters of {@link INSERT_READINGS} and {@link MERGE_READINGS}, in their order, as array
 * literals: the rows of every batch given, in order.
 */
export function insertReadingsValues(batches: readonly ReadingColumns[]): string[] {
  const column = <K extends keyof ReadingColumns>(key: K) => batches.map((b) => b[key]);
  return [
    textArrayLiteral(column('containerId')),
    numberArrayLiteral(column('measuredAt')),
    textArrayLiteral(column('deviceId')),
    numberArrayLiteral(column('receivedAt')),
    textArrayLiteral(column('shipmentId')),
    textArrayLiteral(column('source')),
    numberArrayLiteral(column('temperatureC')),
    numberArrayLiteral(column('humidityPct')),
    numberArrayLiteral(column('shockG')),
    numberArrayLiteral(column('lat')),
    numberArrayLiteral(column('lon')),
    numberArrayLiteral(column('altM')),
    numberArrayLiteral(column('batteryPct')),
    booleanArrayLiteral(column('doorOpen')),
    numberArrayLiteral(column('fCnt')),
    numberArrayLiteral(column('gateways')),
    numberArrayLiteral(column('rssi')),
    numberArrayLiteral(column('snr')),
    numberArrayLiteral(column('lagMs')),
    booleanArrayLiteral(column('late')),
  ];
}

/**
 * Inserts alert events, each column one array parameter unnested (a VALUES list would take nine
 * parameters an event, and PostgreSQL refuses a statement of more than 65,535: a burst of 7,282
 * events); one already stored (same container, time, alert, change) is replaced. The events'
 * keys must be distinct.
 */
export async function insertAlertEvents(db: Kysely<object>, events: readonly AlertEvent[]): Promise<void> {
  if (events.length === 0) return;
  const column = <T>(of: (e: AlertEvent) => T): T[] => events.map(of);
  await sql`INSERT INTO alert_events (container_id, at, alert_id, change, rule, severity, status, value, message)
    SELECT * FROM unnest(${column((e) => e.containerId)}::text[], ${column((e) => e.at)}::bigint[],
      ${column((e) => e.alertId)}::text[], ${column((e) => e.change)}::text[], ${column((e) => e.rule)}::text[],
      ${column((e) => e.severity)}::text[], ${column((e) => e.status)}::text[],
      ${column((e) => e.value ?? null)}::float8[], ${column((e) => e.message)}::text[])
    ON CONFLICT (container_id, at, alert_id, change) DO UPDATE SET rule = excluded.rule,
      severity = excluded.severity, status = excluded.status, value = excluded.value,
      message = excluded.message`.execute(db);
}
