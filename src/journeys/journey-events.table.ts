import type { Generated, Kysely } from 'kysely';
import type { JourneyEvent, JourneyEventType } from './journey.types.js';

/** A journey event as stored (journey-events.migrations.ts). Times in epoch ms. */
export interface JourneyEventRow {
  container_id: string;
  shipment_id: string | null;
  type: JourneyEventType;
  site_id: string | null;
  site_kind: string | null;
  at: number;
  until: number | null;
  lat: number | null;
  lon: number | null;
  detail: string | null;
}

export type JourneyEventsTables = { journey_events: JourneyEventRow & { id: Generated<number> } };

/** Every column an insert sets, in order (the compiled SQLite insert takes them by name). */
export const JOURNEY_EVENT_COLUMNS: readonly (keyof JourneyEventRow)[] = [
  'container_id',
  'shipment_id',
  'type',
  'site_id',
  'site_kind',
  'at',
  'until',
  'lat',
  'lon',
  'detail',
];

/**
 * The insert of events, one query for both stores. An event stored already (its key,
 * `journey_events_once`: container, type, time, site, detail) is skipped: a reading replayed by a
 * partition's new owner or after a crash, or a batch written again after a lost answer, concludes
 * the same events and is not doubled.
 */
export function insertEvents(db: Kysely<JourneyEventsTables>, rows: readonly JourneyEventRow[]) {
  return db
    .insertInto('journey_events')
    .values([...rows])
    .onConflict((oc) => oc.doNothing());
}

/** Reads of the journey event log, oldest first, each bounded by `limit`. */
export class JourneyEventsTable {
  constructor(private readonly db: Kysely<JourneyEventsTables>) {}

  /** A container's events in [from, to). */
  async byContainer(containerId: string, from: number, to: number, limit: number): Promise<JourneyEvent[]> {
    const rows = await this.db
      .selectFrom('journey_events')
      .selectAll()
      .where('container_id', '=', containerId)
      .where('at', '>=', from)
      .where('at', '<', to)
      .orderBy('at')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map(toEvent);
  }

  /** A shipment's events. */
  async byShipment(shipmentId: string, limit: number): Promise<JourneyEvent[]> {
    const rows = await this.db
      .selectFrom('journey_events')
      .selectAll()
      .where('shipment_id', '=', shipmentId)
      .orderBy('at')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map(toEvent);
  }

  /** Geofence crossings of every container in [from, to), by container then time. */
  async crossings(from: number, to: number, limit: number): Promise<JourneyEvent[]> {
    const rows = await this.db
      .selectFrom('journey_events')
      .selectAll()
      .where('type', 'in', ['enter', 'leave'])
      .where('at', '>=', from)
      .where('at', '<', to)
      .orderBy('container_id')
      .orderBy('at')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map(toEvent);
  }
}

export function toRow(e: JourneyEvent): JourneyEventRow {
  return {
    container_id: e.containerId,
    shipment_id: e.shipmentId ?? null,
    type: e.type,
    site_id: e.siteId ?? null,
    site_kind: e.siteKind ?? null,
    at: e.at,
    until: e.until ?? null,
    lat: e.lat ?? null,
    lon: e.lon ?? null,
    detail: e.detail ?? null,
  };
}

function toEvent(r: JourneyEventRow): JourneyEvent {
  return {
    containerId: r.container_id,
    ...(r.shipment_id !== null && { shipmentId: r.shipment_id }),
    type: r.type,
    ...(r.site_id !== null && { siteId: r.site_id }),
    ...(r.site_kind !== null && { siteKind: r.site_kind }),
    at: r.at,
    ...(r.until !== null && { until: r.until }),
    ...(r.lat !== null && { lat: r.lat }),
    ...(r.lon !== null && { lon: r.lon }),
    ...(r.detail !== null && { detail: r.detail }),
  };
}
