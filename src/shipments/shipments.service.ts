import { Injectable, OnModuleInit } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { Clock } from '#src/common/clock.js';
import { DomainError } from '#src/common/domain-error.js';
import { DomainEvents } from '#src/common/events/domain-events.js';
import { ContainersService } from '#src/fleet/containers.service.js';
import { afterKey, toPage, type Page } from '#src/common/http/pagination.js';
import { patchOf } from '#src/common/http/patch.js';
import { SitesService } from '#src/fleet/sites.service.js';
import { assertIfMatch, versioned, type Versioned } from '#src/common/http/versioning.js';
import { ProfilesService } from '#src/profiles/profiles.service.js';
import type {
  CreateShipmentDto,
  ShipmentListQueryDto,
  ShipmentStatusChangeDto,
  UpdateShipmentDto,
} from './dto/shipment.dto.js';
import { ShipmentsRepository } from './shipments.repository.js';
import { refusedWrite } from './shipment-write.refusal.js';
import { ShipmentWriter } from './shipment-writer.service.js';
import { ShipmentTransitionOutbox } from './shipment-transition.outbox.js';
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
 * Shipments and their status machine, in the operational store (SQLite or PostgreSQL). The
 * active ones are also in memory ({@link ShipmentWriter}), so a reading never waits on the store:
 * after every write the ingestion index follows, and the next reading of the container carries
 * the right shipment id. REST reads first wait for the queued writes, so they see them.
 */
@Injectable()
export class ShipmentsService implements OnModuleInit {
  constructor(
    private readonly repository: ShipmentsRepository,
    private readonly containers: ContainersService,
    private readonly sites: SitesService,
    private readonly profiles: ProfilesService,
    private readonly writer: ShipmentWriter,
    private readonly outbox: ShipmentTransitionOutbox,
    private readonly clock: Clock,
    private readonly events: DomainEvents,
  ) {}

  async onModuleInit(): Promise<void> {
    // Providers of a module start side by side: the table must exist before it is read.
    await this.repository.migrated();
    // Transitions concluded before a crash and not yet in PostgreSQL (compare-and-set: once).
    for (const t of this.outbox.pending()) {
      await this.repository.setStatus(t.shipmentId, t.from, t.to, t.atMs, t.nowMs);
      this.outbox.done(t.id);
    }
    await this.writer.load();
  }

  async create(dto: CreateShipmentDto, actor: string): Promise<Versioned<Shipment>> {
    const now = this.clock.now();
    const shipment: Shipment = {
      ...dto,
      id: newShipmentId(now),
      status: 'planned',
      createdBy: actor,
      createdAt: new Date(now).toISOString(),
    };
    await this.checkReferences(shipment);
    await this.writer.write(shipment.id, () =>
      this.repository.insert(shipment, now).catch((err: unknown) => {
        throw refusedWrite(err, shipment.containerId);
      }),
    );
    return this.get(shipment.id);
  }

  async list(query: ShipmentListQueryDto & { cursor?: string; limit: number }): Promise<Page<Shipment>> {
    const fromMs = query.from !== undefined ? Date.parse(query.from) : undefined;
    const toMs = query.to !== undefined ? Date.parse(query.to) : undefined;
    if (fromMs !== undefined && toMs !== undefined && !(fromMs < toMs)) {
      throw new DomainError('invalid', 'shipments.bad-range', '`from` must be before `to`', {
        errors: ['from must be before to'],
      });
    }
    await this.writer.flush();
    const rows = await this.repository.list(afterKey(query), query.limit + 1, { ...query, fromMs, toMs });
    return toPage(
      rows,
      query.limit,
      (s) => s.id,
      (s) => s,
    );
  }

  async get(id: string): Promise<Versioned<Shipment>> {
    return versioned(await this.require(id));
  }

  async update(
    id: string,
    dto: UpdateShipmentDto,
    ifMatch: string | undefined,
  ): Promise<Versioned<Shipment>> {
    const current = await this.get(id);
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
    await this.checkReferences(next);
    const stored = await this.writer.write(id, () =>
      this.repository.update(next, status, this.clock.now()).catch((err: unknown) => {
        throw refusedWrite(err, next.containerId);
      }),
    );
    // Its status moved since it was read (a departure the journey concluded): the checks no longer hold.
    if (!stored) throw concurrentChange(id);
    return this.get(id);
  }

  /**
   * A transition the journey concluded during a reading (departure from the origin, arrival at
   * the destination), recorded as automatic with the time it happened, and returns the shipment
   * as it is now. Undefined when the shipment is no longer in `from` (a planner moved it first):
   * the planner's word stands. The reading does not wait on the store: memory changes at once and
   * the write is queued behind the writes decided before it (ShipmentWriter).
   */
  advance(id: string, from: ShipmentStatus, to: ShipmentStatus, atMs: number): Shipment | undefined {
    const shipment = this.writer.activeRecord(id);
    if (!shipment || shipment.status !== from || !NEXT_STATUSES[from].includes(to)) return undefined;
    const next: Shipment = { ...shipment, status: to, ...statusTime(to, atMs) };
    const nowMs = this.clock.now();
    const kept = this.outbox.add({ shipmentId: id, from, to, atMs, nowMs });
    this.writer.writeBehind(
      next,
      async () => {
        const stored = await this.repository.setStatus(id, from, to, atMs, nowMs);
        this.outbox.done(kept);
        return stored;
      },
      `Automatic ${from} → ${to}`,
    );
    this.announce({ shipmentId: id, containerId: shipment.containerId, from, to, at: atMs, manual: false });
    return next;
  }

  /** The active shipment from memory (hot path: readings carry only active shipments' ids). */
  activeShipment(id: string): Shipment | undefined {
    return this.writer.activeRecord(id);
  }

  /** Applies one status transition; only the legal ones (NEXT_STATUSES), else 409. */
  async changeStatus(
    id: string,
    dto: ShipmentStatusChangeDto,
    ifMatch: string | undefined,
    actor?: string,
  ): Promise<Versioned<Shipment>> {
    const current = await this.get(id);
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
    if (!(await this.writer.write(id, () => this.repository.setStatus(id, from, dto.status, at, now))))
      throw concurrentChange(id);
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

  async delete(id: string, ifMatch: string | undefined): Promise<void> {
    const current = await this.get(id);
    assertIfMatch(ifMatch, current.etag);
    const { status } = current.value;
    if (status !== 'planned' && status !== 'cancelled') {
      throw new DomainError(
        'conflict',
        'shipments.has-history',
        `shipment ${id} is ${status}: its record must be kept; only planned or cancelled shipments can be deleted`,
      );
    }
    if (!(await this.writer.write(id, () => this.repository.delete(id, status)))) throw concurrentChange(id);
  }

  /** The stored shipment, once the writes queued before are stored; 404 when there is none. */
  async require(id: string): Promise<Shipment> {
    await this.writer.flush();
    const shipment = await this.repository.find(id);
    if (!shipment) throw new DomainError('not-found', 'shipments.not-found', `shipment ${id} does not exist`);
    return shipment;
  }

  private async checkReferences(s: Shipment): Promise<void> {
    const errors: string[] = [];
    const exists = (check: Promise<unknown>) =>
      check.then(
        () => true,
        () => false,
      );
    if (!(await exists(this.containers.require(s.containerId))))
      errors.push(`containerId: container ${s.containerId} does not exist`);
    if (!(await exists(this.sites.require(s.originSiteId))))
      errors.push(`originSiteId: site ${s.originSiteId} does not exist`);
    if (!(await exists(this.sites.require(s.destinationSiteId))))
      errors.push(`destinationSiteId: site ${s.destinationSiteId} does not exist`);
    if (s.originSiteId === s.destinationSiteId)
      errors.push('destinationSiteId must differ from originSiteId');
    // The profile may be new through another node sharing PostgreSQL: asked, not only remembered.
    if (!(await this.profiles.exists(s.profileId)))
      errors.push(`profileId: profile ${s.profileId} does not exist`);
    if (!(Date.parse(s.plannedDeparture) < Date.parse(s.plannedArrival)))
      errors.push('plannedArrival must be after plannedDeparture');
    if (errors.length > 0)
      throw new DomainError('invalid', 'shipments.invalid', errors.join('; '), { errors });
  }
}

/** The field that dates the status `to`. */
function statusTime(to: ShipmentStatus, atMs: number): Partial<Shipment> {
  const at = new Date(atMs).toISOString();
  if (to === 'in_transit') return { departedAt: at };
  if (to === 'arrived') return { arrivedAt: at };
  if (to === 'closed') return { closedAt: at };
  if (to === 'cancelled') return { cancelledAt: at };
  return {};
}

function concurrentChange(id: string): DomainError {
  return new DomainError(
    'conflict',
    'shipments.concurrent-change',
    `shipment ${id} changed meanwhile: read it again`,
  );
}

/** `SH-` + creation time (base 36, sortable) + random: ids list in creation order. */
function newShipmentId(nowMs: number): string {
  return `SH-${nowMs.toString(36).toUpperCase().padStart(9, '0')}-${randomBytes(3).toString('hex')}`;
}
