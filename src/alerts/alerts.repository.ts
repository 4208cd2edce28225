import { Injectable, OnModuleInit } from '@nestjs/common';
import type { Statement } from 'better-sqlite3';
import { SqliteDatabase } from '#src/storage/sqlite-database.js';
import type { Alert, AlertFilter, AlertHistoryEntry } from './alert.types.js';
import { ALERTS_MIGRATIONS } from './alerts.migrations.js';

interface AlertRow {
  id: string;
  container_id: string;
  shipment_id: string | null;
  device_id: string | null;
  rule_id: string;
  rule_kind: string;
  severity: Alert['severity'];
  status: Alert['status'];
  acknowledged: number;
  acknowledged_by: string | null;
  acknowledged_at: number | null;
  opened_at: number;
  last_seen_at: number;
  cleared_at: number | null;
  value: number | null;
  peak_value: number | null;
  count: number;
  message: string;
}

interface HistoryRow {
  at: number;
  change: AlertHistoryEntry['change'];
  by: string;
  severity: AlertHistoryEntry['severity'];
  value: number | null;
  note: string | null;
}

/**
 * SQL access to alerts and their history. Statements of the rule-event path are prepared once:
 * preparing costs more than running them, and that path runs for every alert change.
 */
@Injectable()
export class AlertsRepository implements OnModuleInit {
  private readonly statements = new Map<string, Statement>();
  private runInTransaction?: (work: () => unknown) => unknown;

  constructor(private readonly sqlite: SqliteDatabase) {}

  onModuleInit(): void {
    this.sqlite.migrate('alerts', ALERTS_MIGRATIONS);
  }

  private get db() {
    return this.sqlite.connection;
  }

  private statement<P extends unknown[] | object, R>(sql: string): Statement<P, R> {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement as unknown as Statement<P, R>;
  }

  /** Runs `work` in one transaction (one transaction function, made once, runs any work). */
  transaction<T>(work: () => T): T {
    this.runInTransaction ??= this.db.transaction((job: () => unknown) => job());
    return this.runInTransaction(work) as T;
  }

  findActive(containerId: string, ruleId: string): Alert | undefined {
    const row = this.statement<[string, string], AlertRow>(
      "SELECT * FROM alerts WHERE container_id = ? AND rule_id = ? AND status = 'active'",
    ).get(containerId, ruleId);
    return row ? toAlert(row) : undefined;
  }

  /** Active alerts raised during a shipment (few: at most one per rule of its container). */
  findActiveOfShipment(shipmentId: string): Alert[] {
    return this.statement<[string], AlertRow>(
      "SELECT * FROM alerts WHERE status = 'active' AND shipment_id = ? ORDER BY opened_at, id",
    )
      .all(shipmentId)
      .map(toAlert);
  }

  /** Shipments that still have an active alert. */
  shipmentsWithActiveAlerts(): string[] {
    return this.statement<[], { shipment_id: string }>(
      "SELECT DISTINCT shipment_id FROM alerts WHERE status = 'active' AND shipment_id IS NOT NULL",
    )
      .all()
      .map((r) => r.shipment_id);
  }

  find(id: string): Alert | undefined {
    const row = this.statement<[string], AlertRow>('SELECT * FROM alerts WHERE id = ?').get(id);
    return row ? toAlert(row) : undefined;
  }

  /** Inserts or replaces the whole alert row. */
  save(alert: Alert): void {
    this.statement<[Record<string, unknown>], unknown>(
      `INSERT OR REPLACE INTO alerts VALUES (@id, @containerId, @shipmentId, @deviceId, @ruleId, @ruleKind,
           @severity, @status, @acknowledged, @acknowledgedBy, @acknowledgedAt, @openedAt, @lastSeenAt,
           @clearedAt, @value, @peakValue, @count, @message)`,
    ).run({
      ...alert,
      shipmentId: alert.shipmentId ?? null,
      deviceId: alert.deviceId ?? null,
      acknowledged: alert.acknowledged ? 1 : 0,
      acknowledgedBy: alert.acknowledgedBy ?? null,
      acknowledgedAt: alert.acknowledgedAt ?? null,
      clearedAt: alert.clearedAt ?? null,
      value: alert.value ?? null,
      peakValue: alert.peakValue ?? null,
    });
  }

  addHistory(alertId: string, entry: AlertHistoryEntry): void {
    this.statement<unknown[], unknown>(
      'INSERT INTO alert_history (alert_id, at, change, by, severity, value, note) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ).run(alertId, entry.at, entry.change, entry.by, entry.severity, entry.value ?? null, entry.note ?? null);
  }

  history(alertId: string): AlertHistoryEntry[] {
    return this.statement<[string], HistoryRow>('SELECT * FROM alert_history WHERE alert_id = ? ORDER BY id')
      .all(alertId)
      .map((r) => ({
        at: r.at,
        change: r.change,
        by: r.by,
        severity: r.severity,
        ...(r.value !== null && { value: r.value }),
        ...(r.note !== null && { note: r.note }),
      }));
  }

  /**
   * Alerts newest first (opened_at, id), keyset-paginated: `after` is the (openedAt, id) of the
   * last alert of the previous page.
   */
  list(filter: AlertFilter, after: { openedAt: number; id: string } | undefined, limit: number): Alert[] {
    const where: string[] = [];
    const params: Record<string, string | number> = { limit };
    const add = (sql: string, name: string, value: string | number | undefined) => {
      if (value === undefined) return;
      where.push(sql);
      params[name] = value;
    };
    add('status = @status', 'status', filter.status);
    add(
      'acknowledged = @ack',
      'ack',
      filter.acknowledged === undefined ? undefined : filter.acknowledged ? 1 : 0,
    );
    add('severity = @severity', 'severity', filter.severity);
    add('container_id = @container', 'container', filter.containerId);
    add('shipment_id = @shipment', 'shipment', filter.shipmentId);
    add('rule_id = @rule', 'rule', filter.ruleId);
    add('container_id IN (SELECT id FROM containers WHERE site_id = @site)', 'site', filter.siteId);
    add('opened_at >= @from', 'from', filter.openedFrom);
    add('opened_at < @to', 'to', filter.openedTo);
    if (after) {
      where.push('(opened_at < @afterAt OR (opened_at = @afterAt AND id < @afterId))');
      params.afterAt = after.openedAt;
      params.afterId = after.id;
    }
    const sql = `SELECT * FROM alerts ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
                 ORDER BY opened_at DESC, id DESC LIMIT @limit`;
    return this.db.prepare<Record<string, string | number>, AlertRow>(sql).all(params).map(toAlert);
  }
}

function toAlert(r: AlertRow): Alert {
  return {
    id: r.id,
    containerId: r.container_id,
    ...(r.shipment_id !== null && { shipmentId: r.shipment_id }),
    ...(r.device_id !== null && { deviceId: r.device_id }),
    ruleId: r.rule_id,
    ruleKind: r.rule_kind,
    severity: r.severity,
    status: r.status,
    acknowledged: r.acknowledged === 1,
    ...(r.acknowledged_by !== null && { acknowledgedBy: r.acknowledged_by }),
    ...(r.acknowledged_at !== null && { acknowledgedAt: r.acknowledged_at }),
    openedAt: r.opened_at,
    lastSeenAt: r.last_seen_at,
    ...(r.cleared_at !== null && { clearedAt: r.cleared_at }),
    ...(r.value !== null && { value: r.value }),
    ...(r.peak_value !== null && { peakValue: r.peak_value }),
    count: r.count,
    message: r.message,
  };
}
