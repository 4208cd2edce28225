import { ContainerSites } from './container-sites.service.js';
import { Injectable } from '@nestjs/common';
import { Clock } from '#src/common/clock.js';
import { DomainError } from '#src/common/domain-error.js';
import type { ContainerDto, ContainerListQueryDto, UpdateContainerDto } from './dto/container.dto.js';
import { ContainersRepository } from './containers.repository.js';
import { FleetRepository } from './fleet.repository.js';
import type { Container, ContainerLiveState } from './fleet.types.js';
import { LiveStateService } from './live-state.service.js';
import { afterKey, toPage, type Page } from '#src/common/http/pagination.js';
import { patchOf } from '#src/common/http/patch.js';
import { SitesService } from './sites.service.js';
import { isConstraintError } from '#src/storage/sqlite-errors.js';
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
  ) {}

  create(dto: ContainerDto): Versioned<ContainerView> {
    const container: Container = { ...dto };
    if (container.siteId !== undefined) this.requireSite(container.siteId);
    try {
      this.repository.insert(container, this.clock.now());
    } catch (err) {
      if (isConstraintError(err, 'PRIMARYKEY'))
        throw new DomainError('conflict', 'fleet.container-exists', `container ${dto.id} already exists`);
      throw err;
    }
    this.containerSites.refresh(container.id);
    return this.getVersioned(container.id);
  }

  list(query: ContainerListQueryDto & { cursor?: string; limit: number }): Page<ContainerView> {
    const rows = this.repository.list(afterKey(query), query.limit + 1, query);
    return toPage(
      rows,
      query.limit,
      (c) => c.id,
      (c) => this.view(c),
    );
  }

  /** How many containers are registered (the fleet's size). */
  count(): number {
    return this.repository.count();
  }

  get(id: string): ContainerView {
    return this.view(this.require(id));
  }

  /** The container with the ETag of its registry fields (live state is not versioned). */
  getVersioned(id: string): Versioned<ContainerView> {
    const container = this.require(id);
    return { value: this.view(container), etag: this.etagOf(container) };
  }

  update(id: string, dto: UpdateContainerDto, ifMatch: string | undefined): Versioned<ContainerView> {
    const current = this.require(id);
    assertIfMatch(ifMatch, this.etagOf(current));
    const next: Container = { ...current, ...patchOf(dto, ['siteId', 'notes']) };
    if (typeof dto.siteId === 'string') this.requireSite(dto.siteId);
    this.repository.update(next, this.clock.now());
    this.containerSites.refresh(id);
    return this.getVersioned(id);
  }

  async delete(id: string, ifMatch: string | undefined): Promise<void> {
    this.require(id);
    // Asked first: between the answer and the delete nothing else waits, so the tag checked is current.
    const shipments = await this.shipments.count('container', id);
    assertIfMatch(ifMatch, this.etagOf(this.require(id)));
    if (shipments > 0)
      throw new DomainError(
        'conflict',
        'fleet.container-in-use',
        `container ${id} is named by ${shipments} shipment(s): its history must stay attributable`,
      );
    try {
      this.repository.delete(id);
    } catch (err) {
      if (isConstraintError(err, 'FOREIGNKEY')) {
        throw new DomainError(
          'conflict',
          'fleet.container-in-use',
          `container ${id} has device bindings or shipments: its history must stay attributable`,
        );
      }
      throw err;
    }
    this.liveState.forget(id);
    this.containerSites.refresh(id);
  }

  /** The container, or a not-found error. */
  require(id: string): Readonly<Container> {
    const container = this.fleet.findContainer(id);
    if (!container)
      throw new DomainError('not-found', 'fleet.container-not-found', `container ${id} does not exist`);
    return container;
  }

  private requireSite(siteId: string): void {
    try {
      this.sites.require(siteId);
    } catch {
      throw new DomainError('invalid', 'fleet.unknown-site', `siteId: site ${siteId} does not exist`);
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
