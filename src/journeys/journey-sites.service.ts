import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { DomainEvents } from '#src/common/events/domain-events.js';
import type { Site as FleetSite } from '#src/fleet/fleet.types.js';
import { SitesService } from '#src/fleet/sites.service.js';
import { SiteGrid } from '#src/shipments/geo/site-grid.js';

const PAGE = 1000;

/**
 * Every site with its geofence, for the per-fix geofence scan. The list is read again when the
 * fleet announces a change of sites (`sites.changed`): a site created or moved applies from the
 * first reading after the read (on SQLite it completes before any other I/O is handled; on
 * PostgreSQL within a round trip). It used to be read again every 5 s, ~35–125 ms of the
 * main thread with 5,000 sites. Fixes are measured against the sites near them
 * ({@link SiteGrid}): a chain has thousands of sites, and a scan of every site on every fix cost
 * ~0.5 ms with 500 of them.
 */
@Injectable()
export class JourneySites implements OnModuleInit {
  private readonly logger = new Logger(JourneySites.name);
  private sites: FleetSite[] = [];
  private byId = new Map<string, FleetSite>();
  private nearby = new SiteGrid([]);

  constructor(
    private readonly fleetSites: SitesService,
    events: DomainEvents,
  ) {
    events.on('sites.changed', () => {
      this.reload().catch((error: unknown) => this.logger.error(`sites not read again: ${String(error)}`));
    });
  }

  async onModuleInit(): Promise<void> {
    await this.reload();
  }

  all(): readonly FleetSite[] {
    return this.sites;
  }

  /** The same sites, bucketed by where they are. */
  grid(): SiteGrid {
    this.all();
    return this.nearby;
  }

  find(id: string): FleetSite | undefined {
    this.all();
    return this.byId.get(id);
  }

  async reload(): Promise<void> {
    const sites: FleetSite[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.fleetSites.list({ cursor, limit: PAGE });
      sites.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    this.sites = sites;
    this.byId = new Map(sites.map((s) => [s.id, s]));
    this.nearby = new SiteGrid(sites);
  }
}
