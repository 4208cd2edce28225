import { Injectable, OnModuleInit } from '@nestjs/common';
import type { Statement } from 'better-sqlite3';
import { SqliteDatabase } from '#src/storage/sqlite-database.js';

/**
 * Each container's home site, read once per reading to tag it (hot path: one Map lookup).
 * Rebuilt at start and after a large import ({@link reload}), one container at a time after a
 * change of it or a page of an import ({@link refresh}).
 */
@Injectable()
export class ContainerSites implements OnModuleInit {
  private bySite = new Map<string, string>();
  private siteRow!: Statement<[string], { site_id: string | null }>;

  constructor(private readonly sqlite: SqliteDatabase) {}

  onModuleInit(): void {
    this.siteRow = this.sqlite.connection.prepare('SELECT site_id FROM containers WHERE id = ?');
    this.reload();
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

  /** Re-reads one container's home site after it was created, changed or deleted. */
  refresh(containerId: string): void {
    const siteId = this.siteRow.get(containerId)?.site_id ?? undefined;
    if (siteId === undefined) this.bySite.delete(containerId);
    else this.bySite.set(containerId, siteId);
  }

  reload(): void {
    const rows = this.sqlite.connection
      .prepare<[], { id: string; site_id: string }>(
        'SELECT id, site_id FROM containers WHERE site_id IS NOT NULL',
      )
      .all();
    // One string per site, not one per container (150,000 copies of a few site ids otherwise).
    const siteIds = new Map<string, string>();
    const bySite = new Map<string, string>();
    for (const r of rows) {
      let siteId = siteIds.get(r.site_id);
      if (siteId === undefined) siteIds.set(r.site_id, (siteId = r.site_id));
      bySite.set(r.id, siteId);
    }
    this.bySite = bySite;
  }
}
