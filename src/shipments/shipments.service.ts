import { Injectable, OnModuleInit } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { Clock } from '#src/common/clock.js';
import { DomainError } from '#src/common/domain-error.js';
import { DomainEvents } from '#src/common/events/domain-events.js';
import { ActiveShipments } from '#src/fleet/active-shipments.service.js';
import { ContainersService } from '#src/fleet/containers.service.js';
import { afterKey, toPage, type Page } from '#src/common/http/pagination.js';
import { patchOf } from '#src/common/http/patch.js';
import { SitesService } from '#src/fleet/sites.service.js';
import { isConstraintError } from '#src/storage/sqlite-errors.js';
import { assertIfMatch, versioned, type Versioned } from '#src/common/http/versioning.js';
import { ProfilesService } from '#src/profiles/profiles.service.js';
import type {
  CreateShipmentDto,
  ShipmentListQueryDto,
  ShipmentStatusChangeDto,
  UpdateShipmentDto,
} from './dto/shipment.dto.js';
import { ShipmentsRepository } from './shipments.repository.js';
import type { ShipmentStatus, ShipmentStatusChange } from '#src/contracts/shipment-status.js';
import { ACTIVE_STATUSES, NEXT_STATUSES, type Shipment } from './shipment.types.js';

/** Fields that may still change once the goods are on the road. */
const EDITABLE_ON_THE_ROAD: readonly (keyof UpdateShipmentDto)[] = [
  'destinationSiteId',
  'plannedArrival',
  'carrier',
  'reference',
  'overrides',
];

/**
 * Shipments and their status machine. After every change the {@link ActiveShipments} index is
 * rebuilt, so the next reading of the container carries the right shipment id.
 */
@Injectable()
export class ShipmentsService implements OnModuleInit {
  constructor(
    private readonly repository: ShipmentsRepository,
    private readonly containers: ContainersService,
    private readonly sites: SitesService,
    private readonly profiles: ProfilesService,
    private readonly active: ActiveShipments,
    private readonly clock: Clock,
    private readonly events: DomainEvents,
  ) {}

  onModuleInit(): void {
    this.reindex();
  }

  create(dto: CreateShipmentDto, actor: string): Versioned<Shipment> {
    const now = this.clock.now();
    const shipment: Shipment = {
      ...dto,
      id: newShipmentId(now),
      status: 'planned',
      createdBy: actor,
      createdAt: new Date(now).toISOString(),
    };
    this.checkReferences(shipment);
    try {
      this.repository.insert(shipment, now);
    } catch (err) {
      if (isConstraintError(err, 'UNIQUE')) throw busy(shipment.containerId);
      throw err;
    }
    this.changed(shipment.id, shipment.containerId);
    return this.get(shipment.id);
  }

  list(query: ShipmentListQueryDto & { cursor?: string; limit: number }): Page<Shipment> {
    const fromMs = query.from !== undefined ? Date.parse(query.from) : undefined;
    const toMs = query.to !== undefined ? Date.parse(query.to) : undefined;
    if (fromMs !== undefined && toMs !== undefined && !(fromMs < toMs)) {
      throw new DomainError('invalid', 'shipments.bad-range', '`from` must be before `to`', {
        errors: ['from must be before to'],
      });
    }
    const rows = this.repository.list(afterKey(query), query.limit + 1, { ...query, fromMs, toMs });
    return toPage(
      rows,
      query.limit,
      (s) => s.id,
      (s) => s,
    );
  }

  get(id: string): Versioned<Shipment> {
    return versioned(this.require(id));
  }

  update(id: string, dto: UpdateShipmentDto, ifMatch: string | undefined): Versioned<Shipment> {
    const current = this.get(id);
    assertIfMatch(ifMatch, current.etag);
    const { status } = current.value;
    if (!ACTIVE_STATUSES.includes(status)) {
      throw new DomainError(
        'conflict',
        'shipments.finished',
        `shipment ${id} is ${status}: it can no longer change`,
      );
    }
    const patch = patchOf(dto, ['carrier', 'reference', 'overrides']);
    if (status !== 'planned') {
      const locked = Object.keys(patch).filter(
        (k) => !EDITABLE_ON_THE_ROAD.includes(k as keyof UpdateShipmentDto),
      );
      if (locked.length > 0) {
        throw new DomainError(
          'conflict',
          'shipments.locked-fields',
          `shipment ${id} is ${status}: ${locked.join(', ')} can only change while planned`,
        );
      }
    }
    const next: Shipment = { ...current.value, ...patch };
    this.checkReferences(next);
    try {
      this.repository.update(next, this.clock.now());
    } catch (err) {
      if (isConstraintError(err, 'UNIQUE')) throw busy(next.containerId);
      throw err;
    }
    this.changed(id, current.value.containerId, next.containerId);
    return this.get(id);
  }

  /**
   * A transition the journey concluded (departure from the origin, arrival at the destination),
   * recorded as automatic with the time it happened. False when the shipment is no longer in
   * `from` (a planner moved it first): the planner's word stands.
   */
  advance(id: string, from: ShipmentStatus, to: ShipmentStatus, atMs: number): boolean {
    const shipment = this.repository.find(id);
    if (!shipment || shipment.status !== from || !NEXT_STATUSES[from].includes(to)) return false;
    if (!this.repository.setStatus(id, from, to, atMs, this.clock.now())) return false;
    this.changed(id, shipment.containerId);
    this.announce({ shipmentId: id, containerId: shipment.containerId, from, to, at: atMs, manual: false });
    return true;
  }

  /** Applies one status transition; only the legal ones (NEXT_STATUSES), else 409. */
  changeStatus(
    id: string,
    dto: ShipmentStatusChangeDto,
    ifMatch: string | undefined,
    actor?: string,
  ): Versioned<Shipment> {
    const current = this.get(id);
    if (ifMatch !== undefined) assertIfMatch(ifMatch, current.etag);
    const from = current.value.status;
    const allowed = NEXT_STATUSES[from];
    if (!allowed.includes(dto.status)) {
      throw new DomainError(
        'conflict',
        'shipments.illegal-transition',
        `shipment ${id} cannot go from ${from} to ${dto.status}; ` +
          (allowed.length > 0 ? `allowed next: ${allowed.join(', ')}` : `${from} is final`),
        { from, to: dto.status, allowed },
      );
    }
    const now = this.clock.now();
    const at = dto.at !== undefined ? Date.parse(dto.at) : now;
    if (!this.repository.setStatus(id, from, dto.status, at, now)) {
      throw new DomainError(
        'conflict',
        'shipments.concurrent-change',
        `shipment ${id} changed meanwhile: read it again`,
      );
    }
    this.changed(id, current.value.containerId);
    this.announce({
      shipmentId: id,
      containerId: current.value.containerId,
      from,
      to: dto.status,
      at,
      manual: true,
      ...(actor !== undefined && { actor }),
    });
    return this.get(id);
  }

  private announce(change: ShipmentStatusChange): void {
    this.events.emit('shipment.status-changed', change);
  }

  delete(id: string, ifMatch: string | undefined): void {
    const current = this.get(id);
    assertIfMatch(ifMatch, current.etag);
    const { status } = current.value;
    if (status !== 'planned' && status !== 'cancelled') {
      throw new DomainError(
        'conflict',
        'shipments.has-history',
        `shipment ${id} is ${status}: its record must be kept; only planned or cancelled shipments can be deleted`,
      );
    }
    this.repository.delete(id);
    this.changed(id, current.value.containerId);
  }

  require(id: string): Shipment {
    const shipment = this.repository.find(id);
    if (!shipment) throw new DomainError('not-found', 'shipments.not-found', `shipment ${id} does not exist`);
    return shipment;
  }

  private checkReferences(s: Shipment): void {
    const errors: string[] = [];
    const exists = (check: () => unknown) => {
      try {
        check();
        return true;
      } catch {
        return false;
      }
    };
    if (!exists(() => this.containers.require(s.containerId)))
      errors.push(`containerId: container ${s.containerId} does not exist`);
    if (!exists(() => this.sites.require(s.originSiteId)))
      errors.push(`originSiteId: site ${s.originSiteId} does not exist`);
    if (!exists(() => this.sites.require(s.destinationSiteId)))
      errors.push(`destinationSiteId: site ${s.destinationSiteId} does not exist`);
    if (s.originSiteId === s.destinationSiteId)
      errors.push('destinationSiteId must differ from originSiteId');
    if (!exists(() => this.profiles.require(s.profileId)))
      errors.push(`profileId: profile ${s.profileId} does not exist`);
    if (!(Date.parse(s.plannedDeparture) < Date.parse(s.plannedArrival)))
      errors.push('plannedArrival must be after plannedDeparture');
    if (errors.length > 0)
      throw new DomainError('invalid', 'shipments.invalid', errors.join('; '), { errors });
  }

  private reindex(): void {
    this.active.replace(this.repository.activeByContainer());
  }

  /** After a write of shipment `id`: the containers it was or is on follow it (the index stays). */
  private changed(id: string, ...containerIds: string[]): void {
    this.active.update(id, new Set(containerIds), (c) => this.repository.activeOf(c));
  }
}

function busy(containerId: string): DomainError {
  return new DomainError(
    'conflict',
    'shipments.container-busy',
    `container ${containerId} already has an active shipment (planned, in transit or arrived)`,
  );
}

/** `SH-` + creation time (base 36, sortable) + random: ids list in creation order. */
function newShipmentId(nowMs: number): string {
  return `SH-${nowMs.toString(36).toUpperCase().padStart(9, '0')}-${randomBytes(3).toString('hex')}`;
}
