import { Injectable, OnModuleInit } from '@nestjs/common';
import { sql, type Kysely } from 'kysely';
import { CompiledSqliteStatement } from '#src/storage/compiled-sqlite.statement.js';
import { OperationalDatabase } from '#src/storage/operational-database.js';
import { SqliteDatabase } from '#src/storage/sqlite-database.js';
import type { Alert, AlertHistoryEntry, AlertStoreFilter } from './alert.types.js';
import {
  ALERT_COLUMNS,
  HISTORY_COLUMNS,
  toAlert,
  toAlertRow,
  toHistoryEntry,
  toHistoryRow,
  type AlertRow,
  type AlertsTables,
  type HistoryRow,
} from './alert-rows.js';
import { ALERTS_MIGRATIONS, ALERTS_SCOPE, SQLITE_FILE_MIGRATIONS } from './alerts.migrations.js';
import { WebhookDeliveriesRepository } from './webhook-deliveries.repository.js';

/** One change of an alert to store: the whole row, and its history entry unless it only refreshes the row. */
export interface AlertWrite {
  alert: Alert;
  entry?: AlertHistoryEntry;
  /** Made with the entry: on PostgreSQL, the key of the change's webhook deliveries. */
  changeId?: string;
}

/**
 * Alerts and their history in the operational store (SQLite or PostgreSQL, each query written
 * once with Kysely; scope `alerts`). Either store refuses a second active alert for a (container,
 * rule). Writes are upserts keyed by the alert id that never undo a clear or an acknowledgement
 * ({@link upsertAlerts}), so a change stored twice, or late, leaves the row as it should be.
 */
@Injectable()
export class AlertsRepository implements OnModuleInit {
  private readonly db: Kysely<AlertsTables>;
  private migration: Promise<void> | undefined;
  private now?: { upsert: CompiledSqliteStatement<AlertRow>; history: CompiledSqliteStatement<HistoryRow> };
  private runInTransaction?: (work: () => void) => void;

  constructor(
    private readonly operational: OperationalDatabase,
    private readonly sqlite: SqliteDatabase,
    private readonly webhooks: WebhookDeliveriesRepository,
  ) {
    this.db = operational.db.withTables<AlertsTables>();
  }

  async onModuleInit(): Promise<void> {
    await this.migrated();
  }

  /** Resolves once the tables are migrated (migrates them on the first call). */
  migrated(): Promise<void> {
    return (this.migration ??= this.migrate());
  }

  private async migrate(): Promise<void> {
    // What the SQLite file held before the move stays readable there, for migrate-store.
    if (this.operational.dialect === 'postgres') this.sqlite.migrate(ALERTS_SCOPE, SQLITE_FILE_MIGRATIONS);
    await this.operational.migrate(ALERTS_SCOPE, ALERTS_MIGRATIONS);
  }

  /**
   * SQLite only: stores one change now, in one transaction, before the caller goes on (the rule
   * state that raised it is written next). The same queries as {@link store}, compiled once.
   */
  storeNow(write: AlertWrite): void {
    if (this.operational.dialect !== 'sqlite') throw new Error('storeNow is for the SQLite store');
    const connection = this.sqlite.connection;
    this.now ??= {
      upsert: new CompiledSqliteStatement(connection, ALERT_COLUMNS, (row) => upsertAlerts(this.db, [row])),
      history: new CompiledSqliteStatement(connection, HISTORY_COLUMNS, (row) =>
        this.db.insertInto('alert_history').values(row),
      ),
    };
    const { upsert, history } = this.now;
    this.runInTransaction ??= connection.transaction((work: () => void) => work());
    this.runInTransaction(() => {
      upsert.run(toAlertRow(write.alert));
      if (write.entry) history.run(toHistoryRow(write.alert.id, write.entry));
    });
  }

  /**
   * Stores changes made in this order, in one transaction: each alert's last row, every history
   * entry, then the webhook deliveries of the announced changes (queued once per change and
   * receiver, so a batch stored again adds none). Rows go in the order each alert first appears,
   * so an alert cleared before another opened on the same (container, rule) is stored cleared
   * before the other is inserted.
   */
  async store(writes: readonly AlertWrite[]): Promise<void> {
    const rows = new Map<string, AlertRow>();
    for (const w of writes) rows.set(w.alert.id, toAlertRow(w.alert));
    const history = writes.flatMap((w) => (w.entry ? [toHistoryRow(w.alert.id, w.entry)] : []));
    if (rows.size === 0) return;
    await this.db.transaction().execute(async (trx) => {
      await upsertAlerts(trx, [...rows.values()]).execute();
      if (history.length > 0) await trx.insertInto('alert_history').values(history).execute();
      await this.webhooks.enqueueIn(trx, writes);
    });
  }

  /**
   * Stores a change that may be stored already (kept in the outbox when the process died just
   * after PostgreSQL committed it): the row is an upsert, the history entry is added unless an
   * equal one is there, and the webhook deliveries unless queued already (keyed by the change).
   */
  async storeAgain(write: AlertWrite): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await upsertAlerts(trx, [toAlertRow(write.alert)]).execute();
      await this.webhooks.enqueueIn(trx, [write]);
      if (!write.entry) return;
      const row = toHistoryRow(write.alert.id, write.entry);
      const there = await trx
        .selectFrom('alert_history')
        .select('id')
        .where('alert_id', '=', row.alert_id)
        .where('at', '=', row.at)
        .where('change', '=', row.change)
        .where('by', '=', row.by)
        .where((eb) => (row.note === null ? eb('note', 'is', null) : eb('note', '=', row.note)))
        .executeTakeFirst();
      if (there === undefined) await trx.insertInto('alert_history').values(row).execute();
    });
  }

  async find(id: string): Promise<Alert | undefined> {
    const row = await this.db.selectFrom('alerts').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toAlert(row) : undefined;
  }

  /** Every active alert (at most one per container and rule): memory's content at start. */
  async active(): Promise<Alert[]> {
    const rows = await this.db.selectFrom('alerts').selectAll().where('status', '=', 'active').execute();
    return rows.map(toAlert);
  }

  async history(alertId: string): Promise<AlertHistoryEntry[]> {
    const rows = await this.db
      .selectFrom('alert_history')
      .select(HISTORY_COLUMNS)
      .where('alert_id', '=', alertId)
      .orderBy('id')
      .execute();
    return rows.map(toHistoryEntry);
  }

  /**
   * Alerts newest first (opened_at, id), keyset-paginated: `after` is the (openedAt, id) of the
   * last alert of the previous page.
   */
  async list(
    filter: AlertStoreFilter,
    after: { openedAt: number; id: string } | undefined,
    limit: number,
  ): Promise<Alert[]> {
    if (filter.containerIds?.length === 0) return [];
    let query = this.db.selectFrom('alerts').selectAll().orderBy('opened_at', 'desc').orderBy('id', 'desc');
    const f = filter;
    if (f.status !== undefined) query = query.where('status', '=', f.status);
    if (f.acknowledged !== undefined) query = query.where('acknowledged', '=', f.acknowledged ? 1 : 0);
    if (f.severity !== undefined) query = query.where('severity', '=', f.severity);
    if (f.containerId !== undefined) query = query.where('container_id', '=', f.containerId);
    if (f.containerIds !== undefined) query = query.where('container_id', 'in', f.containerIds);
    if (f.shipmentId !== undefined) query = query.where('shipment_id', '=', f.shipmentId);
    if (f.ruleId !== undefined) query = query.where('rule_id', '=', f.ruleId);
    if (f.openedFrom !== undefined) query = query.where('opened_at', '>=', f.openedFrom);
    if (f.openedTo !== undefined) query = query.where('opened_at', '<', f.openedTo);
    if (after)
      query = query.where((eb) =>
        eb.or([
          eb('opened_at', '<', after.openedAt),
          eb.and([eb('opened_at', '=', after.openedAt), eb('id', '<', after.id)]),
        ]),
      );
    return (await query.limit(limit).execute()).map(toAlert);
  }
}

/**
 * Inserts alerts, or updates the stored rows, in one statement. A clear and an acknowledgement
 * are never undone: a row stored cleared stays cleared (with its time), one stored acknowledged
 * keeps who and when. So a late or repeated write (a replay, or a node that did not see a change
 * made through another) cannot reopen an alert or take an acknowledgement back. No value is bound
 * but the rows' (CompiledSqliteStatement maps each parameter to a column).
 */
function upsertAlerts(db: Kysely<AlertsTables>, rows: AlertRow[]) {
  const kept = (condition: ReturnType<typeof sql>, column: keyof AlertRow) =>
    sql<never>`CASE WHEN ${condition} THEN ${sql.ref(`alerts.${column}`)} ELSE ${sql.ref(`excluded.${column}`)} END`;
  const cleared = sql`${sql.ref('alerts.status')} = ${sql.lit('cleared')}`;
  const acknowledged = sql`${sql.ref('alerts.acknowledged')} = ${sql.lit(1)}`;
  return db
    .insertInto('alerts')
    .values(rows)
    .onConflict((oc) =>
      oc.column('id').doUpdateSet((eb) => ({
        severity: eb.ref('excluded.severity'),
        last_seen_at: eb.ref('excluded.last_seen_at'),
        value: eb.ref('excluded.value'),
        peak_value: eb.ref('excluded.peak_value'),
        count: eb.ref('excluded.count'),
        status: kept(cleared, 'status'),
        cleared_at: kept(cleared, 'cleared_at'),
        acknowledged: kept(acknowledged, 'acknowledged'),
        acknowledged_by: kept(acknowledged, 'acknowledged_by'),
        acknowledged_at: kept(acknowledged, 'acknowledged_at'),
      })),
    );
}
