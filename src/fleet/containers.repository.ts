import { Injectable } from '@nestjs/common';
import type { Kysely } from 'kysely';
import { FleetRepository } from './fleet.repository.js';
import { containerValues, toContainer, type FleetTables } from './fleet.tables.js';
import type { Container, ContainerKind } from './fleet.types.js';

export interface ContainerFilter {
  kind?: ContainerKind;
  siteId?: string;
}

/** The SQLite file's live state of fleet versions 1–2, which still refers to containers there. */
type LegacyStateTables = FleetTables & { container_state: { container_id: string } };

/**
 * SQL for the planners' container resource, on either store (the fleet migrations own the
 * table). Each write drops the container from the fleet repository's cache of registry entries.
 */
@Injectable()
export class ContainersRepository {
  private readonly db: Kysely<FleetTables>;

  constructor(private readonly fleet: FleetRepository) {
    this.db = fleet.db;
  }

  /** Containers ordered by id after `afterId`, filtered by kind and home site. */
  async list(afterId: string | undefined, limit: number, filter: ContainerFilter): Promise<Container[]> {
    let query = this.db
      .selectFrom('containers')
      .selectAll()
      .where('id', '>', afterId ?? '');
    if (filter.kind !== undefined) query = query.where('kind', '=', filter.kind);
    if (filter.siteId !== undefined) query = query.where('site_id', '=', filter.siteId);
    const rows = await query.orderBy('id').limit(limit).execute();
    return rows.map(toContainer);
  }

  /** How many containers are registered. */
  async count(): Promise<number> {
    const row = await this.db
      .selectFrom('containers')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirst();
    // PostgreSQL's COUNT is a BIGINT: a number through POSTGRES_TYPES, but typed loosely by Kysely.
    return Number(row?.n ?? 0);
  }

  /** Inserts a new container; rejects with a duplicate-key error (store-errors.ts) when the id is taken. */
  async insert(container: Container, nowMs: number): Promise<void> {
    await this.db.insertInto('containers').values(containerValues(container, nowMs)).execute();
    this.fleet.forgetContainer(container.id);
  }

  async update(container: Container, nowMs: number): Promise<void> {
    const { id, created_at: _created, ...fields } = containerValues(container, nowMs);
    await this.db.updateTable('containers').set(fields).where('id', '=', id).execute();
    this.fleet.forgetContainer(container.id);
  }

  /** Deletes the container; rejects with a foreign-key violation while a binding or shipment refers to it. */
  async delete(id: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      // An upgraded SQLite file may still hold the container's live state of fleet versions 1–2
      // (emptied at start by the state feature, whose foreign key would refuse the delete).
      if (this.fleet.dialect === 'sqlite')
        await trx
          .withTables<LegacyStateTables>()
          .deleteFrom('container_state')
          .where('container_id', '=', id)
          .execute();
      await trx.deleteFrom('containers').where('id', '=', id).execute();
    });
    this.fleet.forgetContainer(id);
  }
}
