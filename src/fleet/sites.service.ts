import { Injectable } from '@nestjs/common';
import { ShipmentReferences } from '#src/contracts/shipment-references.port.js';
import { Clock } from '#src/common/clock.js';
import { DomainError } from '#src/common/domain-error.js';
import { DomainEvents } from '#src/common/events/domain-events.js';
import type { SiteDto, UpdateSiteDto, GeofenceDto } from './dto/site.dto.js';
import type { Geofence, Site, SiteKind } from './fleet.types.js';
import { afterKey, toPage, type Page } from '#src/common/http/pagination.js';
import { patchOf } from '#src/common/http/patch.js';
import { FleetChanges } from './fleet-changes.service.js';
import { SitesRepository } from './sites.repository.js';
import { isDuplicateKey, isForeignKeyViolation } from '#src/storage/store-errors.js';
import { assertIfMatch, versioned, type Versioned } from '#src/common/http/versioning.js';

/** Sites: warehouses, hubs and stores with their geofences. */
@Injectable()
export class SitesService {
  constructor(
    private readonly repository: SitesRepository,
    private readonly clock: Clock,
    private readonly events: DomainEvents,
    private readonly shipments: ShipmentReferences,
    private readonly fleetChanges: FleetChanges,
  ) {}

  async create(dto: SiteDto): Promise<Versioned<Site>> {
    const site = toSite(dto);
    try {
      await this.repository.insert(site, this.clock.now());
    } catch (err) {
      if (isDuplicateKey(err))
        throw new DomainError('conflict', 'fleet.site-exists', `site ${site.id} already exists`);
      throw err;
    }
    await this.changed();
    return await this.get(site.id);
  }

  /**
   * Announces that sites changed (here, or written by a fleet import), on this node and the
   * others sharing PostgreSQL: what was derived from them is stale.
   */
  async changed(): Promise<void> {
    this.events.emit('sites.changed', {});
    await this.fleetChanges.announce({ sites: true });
  }

  async list(query: { cursor?: string; limit: number; kind?: SiteKind }): Promise<Page<Site>> {
    const rows = await this.repository.list(afterKey(query), query.limit + 1, query.kind);
    return toPage(
      rows,
      query.limit,
      (s) => s.id,
      (s) => s,
    );
  }

  async get(id: string): Promise<Versioned<Site>> {
    return versioned(await this.require(id));
  }

  async update(id: string, dto: UpdateSiteDto, ifMatch: string | undefined): Promise<Versioned<Site>> {
    const current = await this.get(id);
    assertIfMatch(ifMatch, current.etag);
    const { geofence, ...fields } = patchOf(dto, ['address']);
    const next: Site = {
      ...current.value,
      ...fields,
      ...(geofence !== undefined && { geofence: toGeofence(geofence) }),
    };
    await this.repository.update(next, this.clock.now());
    await this.changed();
    return await this.get(id);
  }

  async delete(id: string, ifMatch: string | undefined): Promise<void> {
    await this.get(id);
    // Asked first, then the tag checked against a fresh read.
    const shipments = await this.shipments.count('site', id);
    assertIfMatch(ifMatch, (await this.get(id)).etag);
    if (shipments > 0)
      throw new DomainError(
        'conflict',
        'fleet.site-in-use',
        `site ${id} is the origin or destination of ${shipments} shipment(s)`,
      );
    try {
      await this.repository.delete(id);
    } catch (err) {
      if (isForeignKeyViolation(err)) {
        throw new DomainError(
          'conflict',
          'fleet.site-in-use',
          `site ${id} is the home of containers or the origin/destination of shipments`,
        );
      }
      throw err;
    }
    await this.changed();
  }

  async require(id: string): Promise<Site> {
    const site = await this.repository.find(id);
    if (!site) throw new DomainError('not-found', 'fleet.site-not-found', `site ${id} does not exist`);
    return site;
  }
}

function toSite(dto: SiteDto): Site {
  return {
    id: dto.id,
    name: dto.name,
    kind: dto.kind,
    ...(dto.address !== undefined && { address: dto.address }),
    lat: dto.lat,
    lon: dto.lon,
    geofence: toGeofence(dto.geofence),
  };
}

export function toGeofence(g: GeofenceDto): Geofence {
  return g.type === 'circle'
    ? { type: 'circle', radiusM: g.radiusM ?? 200 }
    : { type: 'polygon', coordinates: g.coordinates ?? [] };
}
