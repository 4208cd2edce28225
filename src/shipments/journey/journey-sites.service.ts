import { Injectable } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import type { Site as FleetSite } from '#src/fleet/fleet.types.js';
import { SitesService } from '#src/fleet/sites.service.js';
import { SiteGrid } from '#src/shipments/geo/site-grid.js';

/** How long the site list is reused before it is read again, ms of real (monotonic) time. */
const REFRESH_AFTER_MS = 5000;
const PAGE = 1000;

/**
 * Every site with its geofence, for the per-fix geofence scan. Sites change rarely and the fleet
 * feature announces no change, so the list is re-read at most every 5 s (monotonic time, not the
 * domain clock: this is a cache age): a site created or moved takes effect within 5 s.
 * Fixes are measured against the sites near them ({@link SiteGrid}): a chain has thousands of
 * sites, and a scan of every site on every fix cost ~41 µs with 500 of them.
 */
@Injectable()
export class JourneySites {
  private sites: FleetSite[] = [];
  private byId = new Map<string, FleetSite>();
  private nearby = new SiteGrid([]);
  private loadedAt = -Infinity;

  constructor(private readonly fleetSites: SitesService) {}

  all(): readonly FleetSite[] {
    if (performance.now() - this.loadedAt > REFRESH_AFTER_MS) this.reload();
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

  reload(): void {
    const sites: FleetSite[] = [];
    let cursor: string | undefined;
    do {
      const page = this.fleetSites.list({ cursor, limit: PAGE });
      sites.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    this.sites = sites;
    this.byId = new Map(sites.map((s) => [s.id, s]));
    this.nearby = new SiteGrid(sites);
    this.loadedAt = performance.now();
  }
}
