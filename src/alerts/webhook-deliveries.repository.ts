import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Kysely } from 'kysely';
import type { AlertEvent } from '#src/contracts/alert-event.js';
import { AlertWebhookConfig } from './alerts.config.js';
import { Clock } from '#src/common/clock.js';
import { CompiledSqliteStatement } from '#src/storage/compiled-sqlite.statement.js';
import { OperationalDatabase } from '#src/storage/operational-database.js';
import { SqliteDatabase } from '#src/storage/sqlite-database.js';
import { toAlertEvent } from './alert-event.mapper.js';
import type { AlertWrite } from './alerts.repository.js';

/** The queue as Kysely sees it (alerts.migrations.ts creates it). Times in epoch ms. */
export type WebhookTables = {
  webhook_deliveries: {
    /** Assigned by the store (AUTOINCREMENT, identity): a receiver's lane goes in its order. */
    id: number | undefined;
    url: string;
    alert_id: string;
    body: string;
    status: 'pending' | 'delivered' | 'failed';
    attempts: number;
    next_attempt_at: number;
    last_status: number | null;
    last_error: string | null;
    created_at: number;
    delivered_at: number | null;
    delivery_id: string;
    /** The alert change announced (PostgreSQL); null when queued on SQLite or moved from there. */
    change_id: string | null;
  };
};

type Row = WebhookTables['webhook_deliveries'];
export type DeliveryRow = Row & { id: number };
type NewRow = Omit<Row, 'id' | 'last_status' | 'last_error' | 'delivered_at'>;

const NEW_COLUMNS: readonly (keyof NewRow)[] = [
  'url',
  'alert_id',
  'body',
  'status',
  'attempts',
  'next_attempt_at',
  'created_at',
  'delivery_id',
  'change_id',
];

/** The answer to one attempt, as the notifier records it. */
export interface AttemptOutcome {
  status: Row['status'];
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  nextAttemptAt: number;
  deliveredAt: number | null;
}

/**
 * The webhook delivery queue in the operational store (ARCHITECTURE.md §6, §9): the SQLite file
 * on a lone node, PostgreSQL, shared by every node, with `DATABASE_URL`. Each query is written
 * once with Kysely for both. A change's deliveries are queued one per receiver of
 * ALERT_WEBHOOK_URLS: on SQLite as the change is announced ({@link enqueueNow}), on PostgreSQL in
 * the transaction that stores the change ({@link enqueueIn}), keyed by (change, url).
 */
@Injectable()
export class WebhookDeliveriesRepository {
  readonly urls: readonly string[];
  private readonly db: Kysely<WebhookTables>;
  private now?: CompiledSqliteStatement<NewRow>;

  constructor(
    private readonly operational: OperationalDatabase,
    private readonly sqlite: SqliteDatabase,
    config: AlertWebhookConfig,
    private readonly clock: Clock,
  ) {
    this.urls = config.ALERT_WEBHOOK_URLS.split(',').filter((u) => u !== '');
    this.db = operational.db.withTables<WebhookTables>();
  }

  /** Whether the queue is PostgreSQL's, filled by the alert writer rather than {@link enqueueNow}. */
  get shared(): boolean {
    return this.operational.dialect === 'postgres';
  }

  /** SQLite only: queues the change's deliveries now, one synchronous INSERT per receiver. */
  enqueueNow(event: AlertEvent): void {
    if (this.shared) throw new Error('enqueueNow is for the SQLite store');
    const connection = this.sqlite.connection;
    this.now ??= new CompiledSqliteStatement(connection, NEW_COLUMNS, (row) => insertNew(this.db, [row]));
    for (const row of this.rows(event, null)) this.now.run(row);
  }

  /**
   * Queues the deliveries of the announced changes among `writes` inside the caller's transaction
   * (the one that stores them). A change stored again (an outbox drained again after a crash) adds
   * nothing: (change_id, url) is unique.
   */
  async enqueueIn(trx: Pick<Kysely<object>, 'executeQuery'>, writes: readonly AlertWrite[]): Promise<void> {
    if (this.urls.length === 0 || !this.shared) return;
    const rows = writes.flatMap(({ alert, entry, changeId }) =>
      entry === undefined || changeId === undefined ? [] : this.rows(toAlertEvent(alert, entry), changeId),
    );
    // Built on this store's builder, run on the caller's connection (its transaction).
    if (rows.length > 0) await trx.executeQuery(insertNew(this.db, rows).compile());
  }

  /** Receivers with a delivery due at `now`. */
  async dueReceivers(now: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom('webhook_deliveries')
      .select('url')
      .distinct()
      .where('status', '=', 'pending')
      .where('next_attempt_at', '<=', now)
      .execute();
    return rows.map((r) => r.url);
  }

  /** A receiver's pending deliveries, oldest first. */
  pendingOf(url: string, limit: number): Promise<DeliveryRow[]> {
    return this.db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('status', '=', 'pending')
      .where('url', '=', url)
      .orderBy('id')
      .limit(limit)
      .execute() as Promise<DeliveryRow[]>;
  }

  /**
   * Records an attempt's answer, only over the row as the attempt read it (still pending, the same
   * attempts): the late answer of a node that lost the lease meanwhile does not undo what the new
   * holder recorded. True when recorded.
   */
  async record(d: DeliveryRow, outcome: AttemptOutcome): Promise<boolean> {
    const result = await this.db
      .updateTable('webhook_deliveries')
      .set({
        status: outcome.status,
        attempts: outcome.attempts,
        last_status: outcome.lastStatus,
        last_error: outcome.lastError,
        next_attempt_at: outcome.nextAttemptAt,
        delivered_at: outcome.deliveredAt,
      })
      .where('id', '=', d.id)
      .where('status', '=', 'pending')
      .where('attempts', '=', d.attempts)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** The delivery log, newest first. */
  list(limit: number): Promise<DeliveryRow[]> {
    return this.db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .orderBy('id', 'desc')
      .limit(limit)
      .execute() as Promise<DeliveryRow[]>;
  }

  private rows(event: AlertEvent, changeId: string | null): NewRow[] {
    const body = JSON.stringify(event);
    const now = this.clock.now();
    return this.urls.map((url) => ({
      url,
      alert_id: event.alertId,
      body,
      status: 'pending',
      attempts: 0,
      next_attempt_at: now,
      created_at: now,
      delivery_id: randomUUID(),
      change_id: changeId,
    }));
  }
}

function insertNew(db: Kysely<WebhookTables>, rows: NewRow[]) {
  return db
    .insertInto('webhook_deliveries')
    .values(rows)
    .onConflict((oc) => oc.columns(['change_id', 'url']).doNothing());
}
