import { Injectable } from '@nestjs/common';
import { SqliteDatabase } from '#src/storage/sqlite-database.js';
import { FleetRepository, toContainer, type ContainerRow } from './fleet.repository.js';
import type { Container, ContainerKind } from './fleet.types.js';

export interface ContainerFilter {
  kind?: ContainerKind;
  siteId?: string;
}

/**
 * SQL for the planners' container resource (the fleet migrations own the table). Each write
 * drops the container from the fleet repository's cache of registry entries.
 */
@Injectable()
export class ContainersRepository {
  constructor(
    private readonly sqlite: SqliteDatabase,
    private readonly fleet: FleetRepository,
  ) {}

  private get db() {
    return this.sqlite.connection;
  }

  /** Containers ordered by id after `afterId`, filtered by kind and home site. */
  list(afterId: string | undefined, limit: number, filter: ContainerFilter): Container[] {
    return this.db
      .prepare<{ after: string; limit: number; kind: string | null; site: string | null }, ContainerRow>(
        `SELECT * FROM containers WHERE id > @after AND (@kind IS NULL OR kind = @kind)
           AND (@site IS NULL OR site_id = @site) ORDER BY id LIMIT @limit`,
      )
      .all({ after: afterId ?? '', limit, kind: filter.kind ?? null, site: filter.siteId ?? null })
      .map(toContainer);
  }

  /** How many containers are registered. */
  count(): number {
    return this.db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM containers').get()?.n ?? 0;
  }

  /** Inserts a new container; throws SQLITE_CONSTRAINT_PRIMARYKEY when the id is taken. */
  insert(container: Container, nowMs: number): void {
    this.db
      .prepare(
        `INSERT INTO containers (id, kind, label, site_id, notes, created_at, updated_at)
         VALUES (@id, @kind, @label, @siteId, @notes, @now, @now)`,
      )
      .run(params(container, nowMs));
    this.fleet.forgetContainer(container.id);
  }

  update(container: Container, nowMs: number): void {
    this.db
      .prepare(
        `UPDATE containers SET kind = @kind, label = @label, site_id = @siteId, notes = @notes,
           updated_at = @now WHERE id = @id`,
      )
      .run(params(container, nowMs));
    this.fleet.forgetContainer(container.id);
  }

  /** Deletes the container and its live state; throws SQLITE_CONSTRAINT_FOREIGNKEY while referred to. */
  delete(id: string): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM container_state WHERE container_id = ?').run(id);
      this.db.prepare('DELETE FROM containers WHERE id = ?').run(id);
    })();
    this.fleet.forgetContainer(id);
  }
}

function params(c: Container, nowMs: number) {
  return {
    id: c.id,
    kind: c.kind,
    label: c.label,
    siteId: c.siteId ?? null,
    notes: c.notes ?? null,
    now: nowMs,
  };
}
