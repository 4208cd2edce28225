import { Injectable, OnModuleInit } from '@nestjs/common';
import { SqliteDatabase } from '#src/storage/sqlite-database.js';
import { AUDIT_MIGRATIONS, AUDIT_SCOPE } from './audit.migrations.js';
import type { AuditEntry, AuditFilter, NewAuditEntry } from './audit.types.js';

interface AuditRow {
  id: number;
  at: number;
  actor: string;
  action: string;
  method: string;
  path: string;
  target: string | null;
  status: number;
}

/** SQL access to the audit log: insert and read only (the retention purge deletes old rows). */
@Injectable()
export class AuditRepository implements OnModuleInit {
  constructor(private readonly sqlite: SqliteDatabase) {}

  onModuleInit(): void {
    this.sqlite.migrate(AUDIT_SCOPE, AUDIT_MIGRATIONS);
  }

  insert(e: NewAuditEntry): void {
    this.sqlite.connection
      .prepare(
        `INSERT INTO audit_log (at, actor, action, method, path, target, status)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(e.atMs, e.actor, e.action, e.method, e.path, e.target ?? null, e.status);
  }

  /** Entries newest first, strictly before the id `beforeId` (keyset pagination). */
  list(filter: AuditFilter, beforeId: number | undefined, limit: number): AuditEntry[] {
    const where: string[] = [];
    const params: Record<string, string | number> = { limit };
    const add = (sql: string, name: string, value: string | number | undefined): void => {
      if (value === undefined) return;
      where.push(sql);
      params[name] = value;
    };
    add('actor = @actor', 'actor', filter.actor);
    add('action = @action', 'action', filter.action);
    add('target = @target', 'target', filter.target);
    add('at >= @from', 'from', filter.from);
    add('at < @to', 'to', filter.to);
    add('id < @before', 'before', beforeId);
    const sql = `SELECT * FROM audit_log ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
                 ORDER BY id DESC LIMIT @limit`;
    return this.sqlite.connection
      .prepare<Record<string, string | number>, AuditRow>(sql)
      .all(params)
      .map(toEntry);
  }
}

function toEntry(r: AuditRow): AuditEntry {
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
