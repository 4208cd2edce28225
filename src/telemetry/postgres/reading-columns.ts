import type { Reading } from '#src/contracts/reading.js';

/**
 * Readings as one array per column of `readings`, the shape of one multi-row INSERT through
 * `unnest` (twenty array parameters however many rows: no statement text grows with the batch).
 */
export interface ReadingColumns {
  containerId: string[];
  measuredAt: number[];
  deviceId: string[];
  receivedAt: number[];
  shipmentId: (string | null)[];
  source: string[];
  temperatureC: (number | null)[];
  humidityPct: (number | null)[];
  shockG: (number | null)[];
  lat: (number | null)[];
  lon: (number | null)[];
  altM: (number | null)[];
  batteryPct: (number | null)[];
  doorOpen: (boolean | null)[];
  fCnt: (number | null)[];
  gateways: (number | null)[];
  rssi: (number | null)[];
  snr: (number | null)[];
  lagMs: number[];
  late: boolean[];
}

/** Columns a later reading at the same key keeps from the earlier one unless it brings a value. */
const MERGED = [
  'shipmentId',
  'temperatureC',
  'humidityPct',
  'shockG',
  'lat',
  'lon',
  'altM',
  'batteryPct',
  'doorOpen',
  'fCnt',
  'gateways',
  'rssi',
  'snr',
] as const satisfies readonly (keyof ReadingColumns)[];

/**
 * The readings as columns, one row per key (container, measuredAt, device). PostgreSQL refuses
 * an INSERT … ON CONFLICT DO UPDATE that meets one key twice, so readings sharing a key within
 * the batch are merged here as the table merges a reading written again (postgres-readings.sql.ts,
 * the embedded store's reading-row.ts): the later one's values replace, its missing ones keep.
 */
export function toReadingColumns(readings: readonly Reading[]): ReadingColumns {
  const c = emptyColumns();
  const rowOf = new Map<string, number>();
  for (const r of readings) {
    const key = `${r.containerId}\u0000${r.measuredAt}\u0000${r.deviceId}`;
    const at = rowOf.get(key);
    if (at === undefined) {
      rowOf.set(key, c.containerId.length);
      append(c, r);
    } else merge(c, at, r);
  }
  return c;
}

function emptyColumns(): ReadingColumns {
  return {
    containerId: [],
    measuredAt: [],
    deviceId: [],
    receivedAt: [],
    shipmentId: [],
    source: [],
    temperatureC: [],
    humidityPct: [],
    shockG: [],
    lat: [],
    lon: [],
    altM: [],
    batteryPct: [],
    doorOpen: [],
    fCnt: [],
    gateways: [],
    rssi: [],
    snr: [],
    lagMs: [],
    late: [],
  };
}

function append(c: ReadingColumns, r: Reading): void {
  const q = r.quality;
  c.containerId.push(r.containerId);
  c.measuredAt.push(r.measuredAt);
  c.deviceId.push(r.deviceId);
  c.receivedAt.push(r.receivedAt);
  c.shipmentId.push(r.shipmentId ?? null);
  c.source.push(r.source);
  c.temperatureC.push(r.temperatureC ?? null);
  c.humidityPct.push(r.humidityPct ?? null);
  c.shockG.push(r.shockG ?? null);
  c.lat.push(r.lat ?? null);
  c.lon.push(r.lon ?? null);
  c.altM.push(r.altM ?? null);
  c.batteryPct.push(r.batteryPct ?? null);
  c.doorOpen.push(r.doorOpen ?? null);
  c.fCnt.push(q.fCnt ?? null);
  c.gateways.push(q.gateways ?? null);
  c.rssi.push(q.rssi ?? null);
  c.snr.push(q.snr ?? null);
  c.lagMs.push(q.lagMs);
  c.late.push(q.late);
}

/** Merges reading `r` into row `at` (the same key, written earlier in the batch). */
function merge(c: ReadingColumns, at: number, r: Reading): void {
  const later = emptyColumns();
  append(later, r);
  c.receivedAt[at] = later.receivedAt[0];
  c.source[at] = later.source[0];
  c.lagMs[at] = later.lagMs[0];
  c.late[at] = later.late[0];
  for (const k of MERGED) {
    const value = later[k][0];
    if (value !== null) (c[k] as unknown[])[at] = value;
  }
}
