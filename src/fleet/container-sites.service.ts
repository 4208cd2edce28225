import { Injectable, OnModuleInit } from '@nestjs/common';
import { FleetRepository } from './fleet.repository.js';

/**
 * Each container's home site, read once per reading to tag it (hot path: one Map lookup).
 * Rebuilt at start and after a large import ({@link reload}), one container at a time after a
 * change of it or a page of an import ({@link refresh}); the hot path never waits on the store.
 */
@Injectable()
export class ContainerSites implements OnModuleInit {
  private bySite = new Map<string, string>();

  constructor(private readonly fleet: FleetRepository) {}

  async onModuleInit(): Promise<void> {
    await this.fleet.migrated();
    await this.reload();
  }

  siteOf(containerId: string): string | undefined {
    return this.bySite.get(containerId);
  }

  /** The containers based at a site (a scan of the map: REST filters, not the hot path). */
  containersAt(siteId: string): string[] {
    const ids: string[] = [];
    for (const [containerId, site] of this.bySite) if (site === siteId) ids.push(containerId);
    return ids;
  }

  /** Re-reads the containers' home sites after they were created, changed or deleted (one query). */
  async refresh(...containerIds: string[]): Promise<void> {
    if (containerIds.length === 0) return;
    const rows = await this.fleet.db
      .selectFrom('containers')
      .select(['id', 'site_id'])
      .where('id', 'in', containerIds)
      .execute();
    const found = new Map(rows.map((r) => [r.id, r.site_id]));
    for (const id of containerIds) {
      const siteId = found.get(id) ?? undefined;
      if (siteId === undefined) this.bySite.delete(id);
      else this.bySite.set(id, siteId);
    }
  }

  async reload(): Promise<void> {
    const rows = await this.fleet.db
      .selectFrom('containers')
      .select(['id', 'site_id'])
      .where('site_id', 'is not', null)
      .execute();
    // One string per site, not one per container (150,000 copies of a few site ids otherwise).
    const siteIds = new Map<string, string>();
    const bySite = new Map<string, string>();
    for (const r of rows) {
      let siteId = siteIds.get(r.site_id!);
      if (siteId === undefined) siteIds.set(r.site_id!, (siteId = r.site_id!));
      bySite.set(r.id, siteId);
    }
    this.bySite = bySite;
  }
}
