import type { ShipmentReferent } from '#src/contracts/shipment-references.port.js';
import { Injectable, OnModuleInit } from '@nestjs/common';
import type { Kysely, Selectable } from 'kysely';
import { OperationalDatabase } from '#src/storage/operational-database.js';
import { FleetRepository } from '#src/fleet/fleet.repository.js';
import { ProfilesRepository } from '#src/profiles/profiles.repository.js';
import type { ShipmentStatus } from '#src/contracts/shipment-status.js';
import { SHIPMENTS_MIGRATIONS, SHIPMENTS_SCOPE } from './shipments.migrations.js';
import { ACTIVE_STATUSES, type Shipment, type ShipmentOverrides } from './shipment.types.js';

/** The shipments table, as Kysely sees it (shipments.migrations.ts creates it). Times in epoch ms. */
type ShipmentsTables = {
  shipments: {
    id: string;
    container_id: string;
    origin_site_id: string;
    destination_site_id: string;
    profile_id: string;
    /** JSON of {@link ShipmentOverrides}. */
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
    updated_at: number;
  };
};
type ShipmentRow = Selectable<ShipmentsTables['shipments']>;

export interface ShipmentFilter {
  status?: ShipmentStatus;
  /** Origin or destination. */
  siteId?: string;
  containerId?: string;
  /** Planned window overlapping [fromMs, toMs). */
  fromMs?: number;
  toMs?: number;
}

/** The column that dates each status a shipment can move to. */
const STATUS_TIME = {
  in_transit: 'departed_at',
  arrived: 'arrived_at',
  closed: 'closed_at',
  cancelled: 'cancelled_at',
} as const;

/**
 * Access to the shipments table in the operational store (SQLite or PostgreSQL, one query for
 * both; scope `shipments`). Either store refuses a second active shipment for a container.
 */
@Injectable()
export class ShipmentsRepository implements OnModuleInit {
  private readonly db: Kysely<ShipmentsTables>;

  constructor(
    private readonly store: OperationalDatabase,
    private readonly profiles: ProfilesRepository,
    private readonly fleet: FleetRepository,
  ) {
    this.db = store.db.withTables<ShipmentsTables>();
  }

  private migration: Promise<void> | undefined;

  async onModuleInit(): Promise<void> {
    await this.migrated();
  }

  /**
   * Resolves once the table is migrated (migrates it on the first call). The profiles' and the
   * fleet's tables first: on PostgreSQL versions 2 and 3 add the foreign keys to them, and this
   * (global) module starts before theirs, so Nest's order cannot be relied on.
   */
  migrated(): Promise<void> {
    return (this.migration ??= this.profiles
      .migrated()
      .then(() => this.fleet.migrated())
      .then(() => this.store.migrate(SHIPMENTS_SCOPE, SHIPMENTS_MIGRATIONS)));
  }

  async find(id: string): Promise<Shipment | undefined> {
    const row = await this.db.selectFrom('shipments').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toShipment(row) : undefined;
  }

  /** A page in id order, after `afterId`. */
  async list(afterId: string | undefined, limit: number, f: ShipmentFilter): Promise<Shipment[]> {
    let query = this.db
      .selectFrom('shipments')
      .selectAll()
      .where('id', '>', afterId ?? '')
      .orderBy('id')
      .limit(limit);
    if (f.status !== undefined) query = query.where('status', '=', f.status);
    const site = f.siteId;
    if (site !== undefined)
      query = query.where((eb) =>
        eb.or([eb('origin_site_id', '=', site), eb('destination_site_id', '=', site)]),
      );
    if (f.containerId !== undefined) query = query.where('container_id', '=', f.containerId);
    if (f.fromMs !== undefined) query = query.where('planned_arrival', '>=', f.fromMs);
    if (f.toMs !== undefined) query = query.where('planned_departure', '<', f.toMs);
    return (await query.execute()).map(toShipment);
  }

  /** Every active shipment (planned, in transit or arrived): at most one per container. */
  async active(): Promise<Shipment[]> {
    const rows = await this.db
      .selectFrom('shipments')
      .selectAll()
      .where('status', 'in', ACTIVE_STATUSES)
      .execute();
    return rows.map(toShipment);
  }

  /** Inserts; throws a unique violation when the container already has an active shipment. */
  async insert(s: Shipment, nowMs: number): Promise<void> {
    await this.db
      .insertInto('shipments')
      .values({
        ...columns(s),
        status: s.status,
        created_by: s.createdBy,
        created_at: nowMs,
        updated_at: nowMs,
      })
      .execute();
  }

  /**
   * Writes the plan's fields if the shipment is still in `status` (compare-and-set); false when
   * its status changed meanwhile. Throws a unique violation when it moves onto a busy container.
   */
  async update(s: Shipment, status: ShipmentStatus, nowMs: number): Promise<boolean> {
    const { id, ...plan } = columns(s);
    const result = await this.db
      .updateTable('shipments')
      .set({ ...plan, updated_at: nowMs })
      .where('id', '=', id)
      .where('status', '=', status)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** Moves to `to` if still in `from` (compare-and-set); false when someone moved it first. */
  async setStatus(
    id: string,
    from: ShipmentStatus,
    to: ShipmentStatus,
    atMs: number,
    nowMs: number,
  ): Promise<boolean> {
    const column = STATUS_TIME[to as keyof typeof STATUS_TIME];
    const result = await this.db
      .updateTable('shipments')
      .set({ status: to, [column]: atMs, updated_at: nowMs })
      .where('id', '=', id)
      .where('status', '=', from)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /**
   * Shipments that name the entry, counted up to 1,000 (a delete asks whether there is any; the
   * figure is for its message). Sites and containers are indexed; a profile is looked up rarely
   * (when one is deleted), through the table.
   */
  async countNaming(referent: ShipmentReferent, id: string): Promise<number> {
    const named = this.db
      .selectFrom('shipments')
      .select('id')
      .where((eb) =>
        referent === 'site'
          ? eb.or([eb('origin_site_id', '=', id), eb('destination_site_id', '=', id)])
          : eb(referent === 'container' ? 'container_id' : 'profile_id', '=', id),
      )
      .limit(1000);
    const row = await this.db
      .selectFrom(named.as('named'))
      .select((eb) => eb.fn.countAll<string | number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Deletes the shipment if it is still in `status`; false otherwise. */
  async delete(id: string, status: ShipmentStatus): Promise<boolean> {
    const result = await this.db
      .deleteFrom('shipments')
      .where('id', '=', id)
      .where('status', '=', status)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  }
}

function columns(s: Shipment) {
  return {
    id: s.id,
    container_id: s.containerId,
    origin_site_id: s.originSiteId,
    destination_site_id: s.destinationSiteId,
    profile_id: s.profileId,
    overrides: s.overrides ? JSON.stringify(s.overrides) : null,
    planned_departure: Date.parse(s.plannedDeparture),
    planned_arrival: Date.parse(s.plannedArrival),
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
