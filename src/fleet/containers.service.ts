import { ContainerSites } from './container-sites.service.js';
import { Injectable } from '@nestjs/common';
import { Clock } from '#src/common/clock.js';
import { DomainError } from '#src/common/domain-error.js';
import type { ContainerDto, ContainerListQueryDto, UpdateContainerDto } from './dto/container.dto.js';
import { ContainersRepository } from './containers.repository.js';
import { FleetChanges } from './fleet-changes.service.js';
import { FleetRepository } from './fleet.repository.js';
import type { Container, ContainerLiveState } from './fleet.types.js';
import { LiveStateService } from './live-state.service.js';
import { afterKey, toPage, type Page } from '#src/common/http/pagination.js';
import { patchOf } from '#src/common/http/patch.js';
import { SitesService } from './sites.service.js';
import { isDuplicateKey, isForeignKeyViolation } from '#src/storage/store-errors.js';
import { ShipmentReferences } from '#src/contracts/shipment-references.port.js';
import { assertIfMatch, etagOf, type Versioned } from '#src/common/http/versioning.js';

export type { Page } from '#src/common/http/pagination.js';

/** A container as planners read it: its registry entry with its live state embedded. */
export interface ContainerView extends Container {
  live: ContainerLiveState | null;
}

/** Containers: registry entries (CRUD) and their read model with live state. */
@Injectable()
export class ContainersService {
  /**
   * ETags of registry entries. An entry from the fleet repository is frozen and flat and is
   * replaced, never changed, on a write: its tag is hashed once, not on every read.
   */
  private readonly etags = new WeakMap<Readonly<Container>, string>();

  constructor(
    private readonly fleet: FleetRepository,
    private readonly repository: ContainersRepository,
    private readonly sites: SitesService,
    private readonly liveState: LiveStateService,
    private readonly clock: Clock,
    private readonly containerSites: ContainerSites,
    private readonly shipments: ShipmentReferences,
    private readonly fleetChanges: FleetChanges,
  ) {}

  async create(dto: ContainerDto): Promise<Versioned<ContainerView>> {
    const container: Container = { ...dto };
    if (container.siteId !== undefined) await this.requireSite(container.siteId);
    try {
      await this.repository.insert(container, this.clock.now());
    } catch (err) {
      if (isDuplicateKey(err))
        throw new DomainError('conflict', 'fleet.container-exists', `container ${dto.id} already exists`);
      if (isForeignKeyViolation(err)) throw unknownSite(dto.siteId);
      throw err;
    }
    await this.refreshed(container.id);
    return await this.getVersioned(container.id);
  }

  async list(
    query: ContainerListQueryDto & { cursor?: string; limit: number },
  ): Promise<Page<ContainerView>> {
    const rows = await this.repository.list(afterKey(query), query.limit + 1, query);
    return toPage(
      rows,
      query.limit,
      (c) => c.id,
      (c) => this.view(c),
    );
  }

  /** How many containers are registered (the fleet's size). */
  count(): Promise<number> {
    return this.repository.count();
  }

  async get(id: string): Promise<ContainerView> {
    return this.view(await this.require(id));
  }

  /** The container with the ETag of its registry fields (live state is not versioned). */
  async getVersioned(id: string): Promise<Versioned<ContainerView>> {
    const container = await this.require(id);
    return { value: this.view(container), etag: this.etagOf(container) };
  }

  async update(
    id: string,
    dto: UpdateContainerDto,
    ifMatch: string | undefined,
  ): Promise<Versioned<ContainerView>> {
    const current = await this.require(id);
    assertIfMatch(ifMatch, this.etagOf(current));
    const next: Container = { ...current, ...patchOf(dto, ['siteId', 'notes']) };
    if (typeof dto.siteId === 'string') await this.requireSite(dto.siteId);
    try {
      await this.repository.update(next, this.clock.now());
    } catch (err) {
      // The site was deleted (on another node) between the check and the write.
      if (isForeignKeyViolation(err)) throw unknownSite(dto.siteId ?? undefined);
      throw err;
    }
    await this.refreshed(id);
    return await this.getVersioned(id);
  }

  async delete(id: string, ifMatch: string | undefined): Promise<void> {
    await this.require(id);
    // Asked first, then the tag checked against a fresh read.
    const shipments = await this.shipments.count('container', id);
    assertIfMatch(ifMatch, this.etagOf(await this.require(id)));
    if (shipments > 0)
      throw new DomainError(
        'conflict',
        'fleet.container-in-use',
        `container ${id} is named by ${shipments} shipment(s): its history must stay attributable`,
      );
    try {
      await this.repository.delete(id);
    } catch (err) {
      if (isForeignKeyViolation(err)) {
        throw new DomainError(
          'conflict',
          'fleet.container-in-use',
          `container ${id} has device bindings or shipments: its history must stay attributable`,
        );
      }
      throw err;
    }
    this.liveState.forget(id);
    await this.refreshed(id);
  }

  /** The container, or a not-found error. */
  async require(id: string): Promise<Readonly<Container>> {
    const container = await this.fleet.findContainer(id);
    if (!container)
      throw new DomainError('not-found', 'fleet.container-not-found', `container ${id} does not exist`);
    return container;
  }

  /** The container's home site read again here, and announced to the other nodes. */
  private async refreshed(id: string): Promise<void> {
    await this.containerSites.refresh(id);
    await this.fleetChanges.announce({ containers: [id] });
  }

  private async requireSite(siteId: string): Promise<void> {
    try {
      await this.sites.require(siteId);
    } catch {
      throw unknownSite(siteId);
    }
  }

  private etagOf(container: Readonly<Container>): string {
    let etag = this.etags.get(container);
    if (etag === undefined) this.etags.set(container, (etag = etagOf(container)));
    return etag;
  }

  private view(container: Container): ContainerView {
    return { ...container, live: this.liveState.get(container.id) ?? null };
  }
}

/** The refusal of a home site that does not exist (checked first; the foreign key refuses one deleted meanwhile). */
function unknownSite(siteId: string | undefined): DomainError {
  return new DomainError('invalid', 'fleet.unknown-site', `siteId: site ${siteId} does not exist`);
}
