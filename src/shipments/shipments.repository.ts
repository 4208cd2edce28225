import type { ActiveShipment } from '#src/fleet/active-shipments.service.js';
import { Injectable, OnModuleInit } from '@nestjs/common';
import { SqliteDatabase } from '#src/storage/sqlite-database.js';
import { SHIPMENTS_MIGRATIONS } from './shipments.migrations.js';
import type { ShipmentStatus } from '#src/contracts/shipment-status.js';
import type { Shipment, ShipmentOverrides } from './shipment.types.js';

interface ShipmentRow {
  id: string;
  container_id: string;
  origin_site_id: string;
  destination_site_id: string;
  profile_id: string;
  overrides: string | null;
  planned_departure: number;
  planned_arrival: number;
  carrier: string | null;
  reference: string | null;
  status: ShipmentStatus;
  departed_at: number | null;
  arrived_at: number | null;
  closed_at: number | null;
  cancelled_at: number | null;
  created_by: string;
  created_at: number;
}

export interface ShipmentFilter {
  status?: ShipmentStatus;
  /** Origin or destination. */
  siteId?: string;
  containerId?: string;
  /** Planned window overlapping [fromMs, toMs). */
  fromMs?: number;
  toMs?: number;
}

/** SQL access to the shipments table (scope `shipments`). */
@Injectable()
export class ShipmentsRepository implements OnModuleInit {
  constructor(private readonly sqlite: SqliteDatabase) {}

  onModuleInit(): void {
    this.sqlite.migrate('shipments', SHIPMENTS_MIGRATIONS);
  }

  private get db() {
    return this.sqlite.connection;
  }

  find(id: string): Shipment | undefined {
    const row = this.db.prepare<[string], ShipmentRow>('SELECT * FROM shipments WHERE id = ?').get(id);
    return row ? toShipment(row) : undefined;
  }

  list(afterId: string | undefined, limit: number, f: ShipmentFilter): Shipment[] {
    return this.db
      .prepare<Record<string, string | number | null>, ShipmentRow>(
        `SELECT * FROM shipments WHERE id > @after
           AND (@status IS NULL OR status = @status)
           AND (@site IS NULL OR origin_site_id = @site OR destination_site_id = @site)
           AND (@container IS NULL OR container_id = @container)
           AND (@from IS NULL OR planned_arrival >= @from)
           AND (@to IS NULL OR planned_departure < @to)
         ORDER BY id LIMIT @limit`,
      )
      .all({
        after: afterId ?? '',
        limit,
        status: f.status ?? null,
        site: f.siteId ?? null,
        container: f.containerId ?? null,
        from: f.fromMs ?? null,
        to: f.toMs ?? null,
      })
      .map(toShipment);
  }

  /** Container id → active shipment and its profile, for the readings' index. */
  /** The container's active shipment (at most one: the database refuses a second). */
  activeOf(containerId: string): ActiveShipment | undefined {
    const row = this.db
      .prepare<[string], { id: string; profile_id: string }>(
        `SELECT id, profile_id FROM shipments
           WHERE container_id = ? AND status IN ('planned', 'in_transit', 'arrived')`,
      )
      .get(containerId);
    return row === undefined ? undefined : { shipmentId: row.id, profileId: row.profile_id };
  }

  activeByContainer(): Map<string, ActiveShipment> {
    const rows = this.db
      .prepare<[], { id: string; container_id: string; profile_id: string }>(
        "SELECT id, container_id, profile_id FROM shipments WHERE status IN ('planned', 'in_transit', 'arrived')",
      )
      .all();
    return new Map(rows.map((r) => [r.container_id, { shipmentId: r.id, profileId: r.profile_id }]));
  }

  /** Inserts; throws a UNIQUE constraint error when the container already has an active shipment. */
  insert(s: Shipment, nowMs: number): void {
    this.db
      .prepare(
        `INSERT INTO shipments (id, container_id, origin_site_id, destination_site_id, profile_id,
           overrides, planned_departure, planned_arrival, carrier, reference, status, created_by,
           created_at, updated_at)
         VALUES (@id, @containerId, @originSiteId, @destinationSiteId, @profileId, @overrides,
           @plannedDeparture, @plannedArrival, @carrier, @reference, @status, @createdBy, @now, @now)`,
      )
      .run({ ...params(s), status: s.status, createdBy: s.createdBy, now: nowMs });
  }

  update(s: Shipment, nowMs: number): void {
    this.db
      .prepare(
        `UPDATE shipments SET container_id = @containerId, origin_site_id = @originSiteId,
           destination_site_id = @destinationSiteId, profile_id = @profileId, overrides = @overrides,
           planned_departure = @plannedDeparture, planned_arrival = @plannedArrival,
           carrier = @carrier, reference = @reference, updated_at = @now WHERE id = @id`,
      )
      .run({ ...params(s), now: nowMs });
  }

  /** Moves to `status` if still in `from` (compare-and-set); false when someone moved it first. */
  setStatus(id: string, from: ShipmentStatus, to: ShipmentStatus, atMs: number, nowMs: number): boolean {
    const column = {
      in_transit: 'departed_at',
      arrived: 'arrived_at',
      closed: 'closed_at',
      cancelled: 'cancelled_at',
    }[to as 'in_transit' | 'arrived' | 'closed' | 'cancelled'];
    return (
      this.db
        .prepare(`UPDATE shipments SET status = ?, ${column} = ?, updated_at = ? WHERE id = ? AND status = ?`)
        .run(to, atMs, nowMs, id, from).changes > 0
    );
  }

  delete(id: string): void {
    this.db.prepare('DELETE FROM shipments WHERE id = ?').run(id);
  }
}

function params(s: Shipment) {
  return {
    id: s.id,
    containerId: s.containerId,
    originSiteId: s.originSiteId,
    destinationSiteId: s.destinationSiteId,
    profileId: s.profileId,
    overrides: s.overrides ? JSON.stringify(s.overrides) : null,
    plannedDeparture: Date.parse(s.plannedDeparture),
    plannedArrival: Date.parse(s.plannedArrival),
    carrier: s.carrier ?? null,
    reference: s.reference ?? null,
  };
}

const iso = (ms: number) => new Date(ms).toISOString();

function toShipment(r: ShipmentRow): Shipment {
  return {
    id: r.id,
    containerId: r.container_id,
    originSiteId: r.origin_site_id,
    destinationSiteId: r.destination_site_id,
    profileId: r.profile_id,
    ...(r.overrides !== null && { overrides: JSON.parse(r.overrides) as ShipmentOverrides }),
    plannedDeparture: iso(r.planned_departure),
    plannedArrival: iso(r.planned_arrival),
    ...(r.carrier !== null && { carrier: r.carrier }),
    ...(r.reference !== null && { reference: r.reference }),
    status: r.status,
    ...(r.departed_at !== null && { departedAt: iso(r.departed_at) }),
    ...(r.arrived_at !== null && { arrivedAt: iso(r.arrived_at) }),
    ...(r.closed_at !== null && { closedAt: iso(r.closed_at) }),
    ...(r.cancelled_at !== null && { cancelledAt: iso(r.cancelled_at) }),
    createdBy: r.created_by,
    createdAt: iso(r.created_at),
  };
}
