import { sql, type Kysely } from 'kysely';
import type { AlertEvent } from '#src/contracts/alert-event.js';
import { MERGE_READING_ON_CONFLICT } from '../reading-merge.sql.js';
import type { ReadingColumns } from './reading-columns.js';

const ON_CONFLICT = sql.raw(MERGE_READING_ON_CONFLICT);

/**
 * Inserts the rows in one statement, each column one array parameter unnested; a row whose key
 * (container, measuredAt, device) is stored already is merged into it field by field, as the
 * embedded store (reading-row.ts) and InfluxDB merge a point written again. The rows' keys
 * must be distinct (mergeRepeatedKeys merges a batch's repeats).
 */
export async function insertReadingColumns(db: Kysely<object>, c: ReadingColumns): Promise<void> {
  await sql`INSERT INTO readings (container_id, measured_at, device_id, received_at, shipment_id, source,
      temperature_c, humidity_pct, shock_g, lat, lon, alt_m, battery_pct, door_open,
      f_cnt, gateways, rssi, snr, lag_ms, late)
    SELECT * FROM unnest(${c.containerId}::text[], ${c.measuredAt}::bigint[], ${c.deviceId}::text[],
      ${c.receivedAt}::bigint[], ${c.shipmentId}::text[], ${c.source}::text[],
      ${c.temperatureC}::float8[], ${c.humidityPct}::float8[], ${c.shockG}::float8[],
      ${c.lat}::float8[], ${c.lon}::float8[], ${c.altM}::float8[], ${c.batteryPct}::float8[],
      ${c.doorOpen}::boolean[], ${c.fCnt}::bigint[], ${c.gateways}::bigint[],
      ${c.rssi}::float8[], ${c.snr}::float8[], ${c.lagMs}::bigint[], ${c.late}::boolean[])
    ${ON_CONFLICT}`.execute(db);
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
