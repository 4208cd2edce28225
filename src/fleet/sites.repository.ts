import { Injectable } from '@nestjs/common';
import { SqliteDatabase } from '#src/storage/sqlite-database.js';
import { toSite, type SiteRow } from './fleet.repository.js';
import type { Site, SiteKind } from './fleet.types.js';

/** SQL for the planners' site resource (the fleet migrations own the table). */
@Injectable()
export class SitesRepository {
  constructor(private readonly sqlite: SqliteDatabase) {}

  private get db() {
    return this.sqlite.connection;
  }

  find(id: string): Site | undefined {
    const row = this.db.prepare<[string], SiteRow>('SELECT * FROM sites WHERE id = ?').get(id);
    return row ? toSite(row) : undefined;
  }

  /** Sites ordered by id after `afterId`, optionally of one kind. */
  list(afterId: string | undefined, limit: number, kind: SiteKind | undefined): Site[] {
    return this.db
      .prepare<{ after: string; limit: number; kind: string | null }, SiteRow>(
        `SELECT * FROM sites WHERE id > @after AND (@kind IS NULL OR kind = @kind) ORDER BY id LIMIT @limit`,
      )
      .all({ after: afterId ?? '', limit, kind: kind ?? null })
      .map(toSite);
  }

  /** Inserts a new site; throws SQLITE_CONSTRAINT_PRIMARYKEY when the id is taken. */
  insert(site: Site, nowMs: number): void {
    this.db
      .prepare(
        `INSERT INTO sites (id, name, kind, address, lat, lon, geofence, created_at, updated_at)
         VALUES (@id, @name, @kind, @address, @lat, @lon, @geofence, @now, @now)`,
      )
      .run(params(site, nowMs));
  }

  update(site: Site, nowMs: number): void {
    this.db
      .prepare(
        `UPDATE sites SET name = @name, kind = @kind, address = @address, lat = @lat, lon = @lon,
           geofence = @geofence, updated_at = @now WHERE id = @id`,
      )
      .run(params(site, nowMs));
  }

  /** Deletes the site; throws SQLITE_CONSTRAINT_FOREIGNKEY while something refers to it. */
  delete(id: string): void {
    this.db.prepare('DELETE FROM sites WHERE id = ?').run(id);
  }
}

function params(site: Site, nowMs: number) {
  return {
    id: site.id,
    name: site.name,
    kind: site.kind,
    address: site.address ?? null,
    lat: site.lat,
    lon: site.lon,
    geofence: JSON.stringify(site.geofence),
    now: nowMs,
  };
}
