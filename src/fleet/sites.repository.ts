import { Injectable } from '@nestjs/common';
import type { Kysely } from 'kysely';
import { FleetRepository } from './fleet.repository.js';
import { siteValues, toSite, type FleetTables } from './fleet.tables.js';
import type { Site, SiteKind } from './fleet.types.js';

/** SQL for the planners' site resource, on either store (the fleet migrations own the table). */
@Injectable()
export class SitesRepository {
  private readonly db: Kysely<FleetTables>;

  constructor(fleet: FleetRepository) {
    this.db = fleet.db;
  }

  async find(id: string): Promise<Site | undefined> {
    const row = await this.db.selectFrom('sites').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toSite(row) : undefined;
  }

  /** Sites ordered by id after `afterId`, optionally of one kind. */
  async list(afterId: string | undefined, limit: number, kind: SiteKind | undefined): Promise<Site[]> {
    let query = this.db
      .selectFrom('sites')
      .selectAll()
      .where('id', '>', afterId ?? '');
    if (kind !== undefined) query = query.where('kind', '=', kind);
    const rows = await query.orderBy('id').limit(limit).execute();
    return rows.map(toSite);
  }

  /** Inserts a new site; rejects with a duplicate-key error (store-errors.ts) when the id is taken. */
  async insert(site: Site, nowMs: number): Promise<void> {
    await this.db.insertInto('sites').values(siteValues(site, nowMs)).execute();
  }

  async update(site: Site, nowMs: number): Promise<void> {
    const { id, created_at: _created, ...fields } = siteValues(site, nowMs);
    await this.db.updateTable('sites').set(fields).where('id', '=', id).execute();
  }

  /** Deletes the site; rejects with a foreign-key violation while a container or shipment refers to it. */
  async delete(id: string): Promise<void> {
    await this.db.deleteFrom('sites').where('id', '=', id).execute();
  }
}
