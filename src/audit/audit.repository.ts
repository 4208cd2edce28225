import { Injectable, OnModuleInit } from '@nestjs/common';
import type { Generated, Kysely, Selectable } from 'kysely';
import { OperationalDatabase } from '#src/storage/operational-database.js';
import { AUDIT_MIGRATIONS, AUDIT_SCOPE } from './audit.migrations.js';
import type { AuditEntry, AuditFilter, NewAuditEntry } from './audit.types.js';

/** The audit log's tables, as Kysely sees them (audit.migrations.ts creates them). */
export type AuditTables = {
  audit_log: {
    id: Generated<number>;
    /** Epoch ms. */
    at: number;
    actor: string;
    action: string;
    method: string;
    path: string;
    target: string | null;
    status: number;
  };
  audit_purge_gate: { id: number; open: number };
};

/**
 * Access to the audit log in the operational store (SQLite or PostgreSQL, one query for both):
 * insert and read; only {@link purgeBefore} deletes.
 */
@Injectable()
export class AuditRepository implements OnModuleInit {
  private readonly db: Kysely<AuditTables>;

  constructor(private readonly store: OperationalDatabase) {
    this.db = store.db.withTables<AuditTables>();
  }

  async onModuleInit(): Promise<void> {
    await this.store.migrate(AUDIT_SCOPE, AUDIT_MIGRATIONS);
  }

  /** Appends entries in one statement, in the given order (ids ascend with it). */
  async insert(entries: readonly NewAuditEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await this.db
      .insertInto('audit_log')
      .values(
        entries.map((e) => ({
          at: e.atMs,
          actor: e.actor,
          action: e.action,
          method: e.method,
          path: e.path,
          target: e.target ?? null,
          status: e.status,
        })),
      )
      .execute();
  }

  /** Entries newest first, strictly before the id `beforeId` (keyset pagination). */
  async list(filter: AuditFilter, beforeId: number | undefined, limit: number): Promise<AuditEntry[]> {
    let query = this.db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(limit);
    if (filter.actor !== undefined) query = query.where('actor', '=', filter.actor);
    if (filter.action !== undefined) query = query.where('action', '=', filter.action);
    if (filter.target !== undefined) query = query.where('target', '=', filter.target);
    if (filter.from !== undefined) query = query.where('at', '>=', filter.from);
    if (filter.to !== undefined) query = query.where('at', '<', filter.to);
    if (beforeId !== undefined) query = query.where('id', '<', beforeId);
    return (await query.execute()).map(toEntry);
  }

  /**
   * Deletes at most `limit` of the oldest entries before `cutoffMs` (retention), in one
   * transaction that opens the append-only triggers' gate and closes it again before committing.
   * Returns the number deleted.
   */
  async purgeBefore(cutoffMs: number, limit: number): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      const gate = (open: number) =>
        trx.updateTable('audit_purge_gate').set({ open }).where('id', '=', 1).execute();
      await gate(1);
      const deleted = await trx
        .deleteFrom('audit_log')
        .where('id', 'in', (eb) =>
          eb.selectFrom('audit_log').select('id').where('at', '<', cutoffMs).orderBy('id').limit(limit),
        )
        .executeTakeFirst();
      await gate(0);
      return Number(deleted.numDeletedRows);
    });
  }
}

function toEntry(r: Selectable<AuditTables['audit_log']>): AuditEntry {
  return {
    id: r.id,
    at: new Date(r.at).toISOString(),
    actor: r.actor,
    action: r.action,
    method: r.method,
    path: r.path,
    ...(r.target !== null && { target: r.target }),
    status: r.status,
  };
}
