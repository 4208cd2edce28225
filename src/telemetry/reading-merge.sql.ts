/** Columns a reading may leave NULL: written again, they keep their value unless it brings one. */
const MERGED_COLUMNS = [
  'shipment_id',
  'temperature_c',
  'humidity_pct',
  'shock_g',
  'lat',
  'lon',
  'alt_m',
  'battery_pct',
  'door_open',
  'f_cnt',
  'gateways',
  'rssi',
  'snr',
];

/**
 * The end of an INSERT into `readings`, in SQL both SQLite and PostgreSQL accept: a reading at a
 * key already stored (container, measuredAt, device) is merged into the row field by field, as
 * InfluxDB merges a point written again at its series and time. The values it carries replace the
 * stored ones, the others stay, so every store returns the same rows for the same writes.
 */
export const MERGE_READING_ON_CONFLICT = `ON CONFLICT (container_id, measured_at, device_id) DO UPDATE SET
  received_at = excluded.received_at, source = excluded.source, lag_ms = excluded.lag_ms,
  late = excluded.late, ${MERGED_COLUMNS.map((c) => `${c} = coalesce(excluded.${c}, readings.${c})`).join(', ')}`;
