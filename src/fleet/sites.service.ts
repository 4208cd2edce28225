import { Injectable } from '@nestjs/common';
import { ShipmentReferences } from '#src/contracts/shipment-references.port.js';
import { Clock } from '#src/common/clock.js';
import { DomainError } from '#src/common/domain-error.js';
import { DomainEvents } from '#src/common/events/domain-events.js';
import type { SiteDto, UpdateSiteDto, GeofenceDto } from './dto/site.dto.js';
import type { Geofence, Site, SiteKind } from './fleet.types.js';
import { afterKey, toPage, type Page } from '#src/common/http/pagination.js';
import { patchOf } from '#src/common/http/patch.js';
import { SitesRepository } from './sites.repository.js';
import { isConstraintError } from '#src/storage/sqlite-errors.js';
import { assertIfMatch, versioned, type Versioned } from '#src/common/http/versioning.js';

/** Sites: warehouses, hubs and stores with their geofences. */
@Injectable()
export class SitesService {
  constructor(
    private readonly repository: SitesRepository,
    private readonly clock: Clock,
    private readonly events: DomainEvents,
    private readonly shipments: ShipmentReferences,
  ) {}

  create(dto: SiteDto): Versioned<Site> {
    const site = toSite(dto);
    try {
      this.repository.insert(site, this.clock.now());
    } catch (err) {
      if (isConstraintError(err, 'PRIMARYKEY'))
        throw new DomainError('conflict', 'fleet.site-exists', `site ${site.id} already exists`);
      throw err;
    }
    this.changed();
    return this.get(site.id);
  }

  /** Announces that sites changed (here, or written by a fleet import): what was derived from them is stale. */
  changed(): void {
    this.events.emit('sites.changed', {});
  }

  list(query: { cursor?: string; limit: number; kind?: SiteKind }): Page<Site> {
    const rows = this.repository.list(afterKey(query), query.limit + 1, query.kind);
    return toPage(
      rows,
      query.limit,
      (s) => s.id,
      (s) => s,
    );
  }

  get(id: string): Versioned<Site> {
    return versioned(this.require(id));
  }

  update(id: string, dto: UpdateSiteDto, ifMatch: string | undefined): Versioned<Site> {
    const current = this.get(id);
    assertIfMatch(ifMatch, current.etag);
    const { geofence, ...fields } = patchOf(dto, ['address']);
    const next: Site = {
      ...current.value,
      ...fields,
      ...(geofence !== undefined && { geofence: toGeofence(geofence) }),
    };
    this.repository.update(next, this.clock.now());
    this.changed();
    return this.get(id);
  }

  async delete(id: string, ifMatch: string | undefined): Promise<void> {
    this.get(id);
    // Asked first: between the answer and the delete nothing else waits, so the tag checked is current.
    const shipments = await this.shipments.count('site', id);
    assertIfMatch(ifMatch, this.get(id).etag);
    if (shipments > 0)
      throw new DomainError(
        'conflict',
        'fleet.site-in-use',
        `site ${id} is the origin or destination of ${shipments} shipment(s)`,
      );
    try {
      this.repository.delete(id);
    } catch (err) {
      if (isConstraintError(err, 'FOREIGNKEY')) {
        throw new DomainError(
          'conflict',
          'fleet.site-in-use',
          `site ${id} is the home of containers or the origin/destination of shipments`,
        );
      }
      throw err;
    }
    this.changed();
  }

  require(id: string): Site {
    const site = this.repository.find(id);
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
