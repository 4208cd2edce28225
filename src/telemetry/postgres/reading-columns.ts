import { MEASUREMENT_KEYS, type Reading } from '#src/contracts/reading.js';

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
  ...MEASUREMENT_KEYS,
  'fCnt',
  'gateways',
  'rssi',
  'snr',
] as const satisfies readonly (keyof ReadingColumns)[];

/** Columns a later reading at the same key always replaces (the key's own never differ). */
const ALWAYS_REPLACED = [
  'receivedAt',
  'source',
  'lagMs',
  'late',
] as const satisfies readonly (keyof ReadingColumns)[];

/** Readings queued as columns, copied at `write` (the reading objects are not kept). */
export function emptyColumns(): ReadingColumns {
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

/** Appends a reading as a row. */
export function appendReading(c: ReadingColumns, r: Reading): void {
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

const COLUMNS = Object.keys(emptyColumns()) as (keyof ReadingColumns)[];

/** The rows of several batches, in order, as one. */
export function concatColumns(batches: readonly ReadingColumns[]): ReadingColumns {
  if (batches.length === 1) return batches[0];
  const c = emptyColumns();
  for (const b of batches) for (const k of COLUMNS) for (const v of b[k]) (c[k] as unknown[]).push(v);
  return c;
}

/**
 * The rows with one row per key (container, measuredAt, device). PostgreSQL refuses an
 * INSERT … ON CONFLICT DO UPDATE that meets one key twice, so rows sharing a key are merged here
 * as the table merges a reading written again (postgres-readings.sql.ts, the embedded store's
 * reading-row.ts): the later one's values replace, its missing ones keep. Returns the same
 * columns when no key repeats (the common case).
 */
export function mergeRepeatedKeys(c: ReadingColumns): ReadingColumns {
  const rowOf = new Map<string, number>();
  const repeats: [from: number, into: number][] = [];
  for (let i = 0; i < c.containerId.length; i++) {
    const key = `${c.containerId[i]}\u0000${c.measuredAt[i]}\u0000${c.deviceId[i]}`;
    const at = rowOf.get(key);
    if (at === undefined) rowOf.set(key, i);
    else repeats.push([i, at]);
  }
  if (repeats.length === 0) return c;
  const merged = emptyColumns();
  const first = [...rowOf.values()].sort((a, b) => a - b);
  for (const i of first) for (const k of COLUMNS) (merged[k] as unknown[]).push(c[k][i]);
  const position = new Map(first.map((row, p) => [row, p]));
  for (const [from, into] of repeats) {
    const p = position.get(into)!;
    for (const k of ALWAYS_REPLACED) (merged[k] as unknown[])[p] = c[k][from];
    for (const k of MERGED) if (c[k][from] !== null) (merged[k] as unknown[])[p] = c[k][from];
  }
  return merged;
}
