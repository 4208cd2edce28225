import type { Kysely } from 'kysely';
import type { AuditRepository } from '#src/audit/audit.repository.js';
import type { RetentionConfig } from './retention.config.js';
import type { StoreOf } from './retention-stores.js';
import type { RetentionTable, RetentionTables } from './retention.tables.js';

/** Kinds of data with a retention of their own (the `kind` label of the purge metrics). */
export const RETENTION_KINDS = [
  'readings',
  'alert-events',
  'alerts',
  'shipments',
  'journey-events',
  'dispositions',
  'webhook-deliveries',
  'audit',
  'dead-letters',
] as const;
export type RetentionKind = (typeof RETENTION_KINDS)[number];

/** What the targets work with: where each table is, and the feature repositories that purge their own. */
export interface RetentionContext {
  storeOf: StoreOf;
  audit: AuditRepository;
}

/** Deletes one bounded batch; resolves with the rows deleted and whether older rows may be left. */
export type RetentionBatch = () => Promise<{ deleted: number; more: boolean }>;

/**
 * One kind of stored data and how to delete its rows older than a cutoff, at most about `limit`
 * rows per batch, each batch one statement or one transaction (the caller yields between them).
 * Written once with Kysely: the same target runs on SQLite and on PostgreSQL, wherever its
 * tables are.
 */
export interface RetentionTarget {
  kind: RetentionKind;
  /** Days kept, from configuration; 0 keeps forever. */
  days(config: RetentionConfig): number;
  /**
   * Tables the target needs: a target whose tables are in no store (feature not in use) is
   * skipped. The first is the one it purges (with any of the same feature, in the same store):
   * where it is decides who purges it, one node under the lease (PostgreSQL) or every node its own.
   */
  tables: readonly RetentionTable[];
  /** A purge of this kind, from the cutoff (epoch ms): call the batch until `more` is false. */
  start(context: RetentionContext, cutoffMs: number, limit: number): RetentionBatch;
}

type Db = Kysely<RetentionTables>;

/** The store of a table the caller checked is there (tables are located before a target runs). */
function storeOf(context: RetentionContext, table: RetentionTable): Db {
  const db = context.storeOf(table);
  if (db === undefined) throw new Error(`table ${table} is in no store`);
  return db;
}

/** A batch of one DELETE; there may be more while it deleted any row. */
function deleting(run: () => Promise<{ numDeletedRows: bigint }>): RetentionBatch {
  return async () => {
    const deleted = Number((await run()).numDeletedRows);
    return { deleted, more: deleted > 0 };
  };
}

/**
 * Rows of a shipment's record (journey events, dispositions): kept while their shipment is kept.
 * The shipments may be in another store than the rows (a feature moved to PostgreSQL before the
 * other), so no join: each batch reads the next old rows by id, asks the shipments' store which of
 * their shipments still exist, and deletes the others' rows.
 */
function withoutShipment(
  context: RetentionContext,
  table: 'journey_events' | 'shipment_dispositions',
  cutoffMs: number,
  limit: number,
): RetentionBatch {
  const rows = storeOf(context, table);
  const shipments = storeOf(context, 'shipments');
  let afterId = 0;
  return async () => {
    const old = await rows
      .selectFrom(table)
      .select(['id', 'shipment_id'])
      .where('at', '<', cutoffMs)
      .where('id', '>', afterId)
      .orderBy('id')
      .limit(limit)
      .execute();
    if (old.length === 0) return { deleted: 0, more: false };
    afterId = old[old.length - 1].id;
    const referenced = [...new Set(old.flatMap((r) => (r.shipment_id === null ? [] : [r.shipment_id])))];
    const kept = new Set(
      referenced.length === 0
        ? []
        : (await shipments.selectFrom('shipments').select('id').where('id', 'in', referenced).execute()).map(
            (s) => s.id,
          ),
    );
    const gone = old.filter((r) => r.shipment_id === null || !kept.has(r.shipment_id)).map((r) => r.id);
    const deleted =
      gone.length === 0
        ? 0
        : Number((await rows.deleteFrom(table).where('id', 'in', gone).executeTakeFirst()).numDeletedRows);
    return { deleted, more: old.length === limit };
  };
}

export const RETENTION_TARGETS: readonly RetentionTarget[] = [
  {
    kind: 'readings',
    days: (c) => c.RETENTION_READINGS_DAYS,
    tables: ['readings'],
    // WITHOUT ROWID table: delete by primary key, the oldest found through readings_measured_at.
    start: (context, cutoff, limit) => {
      const db = storeOf(context, 'readings');
      return deleting(() =>
        db
          .deleteFrom('readings')
          .where((eb) =>
            eb(
              eb.refTuple('container_id', 'measured_at', 'device_id'),
              'in',
              eb
                .selectFrom('readings')
                .select(['container_id', 'measured_at', 'device_id'])
                .where('measured_at', '<', cutoff)
                .limit(limit)
                .$asTuple('container_id', 'measured_at', 'device_id'),
            ),
          )
          .executeTakeFirst(),
      );
    },
  },
  {
    // The embedded store's "alert" measurement follows the alerts it annotates.
    kind: 'alert-events',
    days: (c) => c.RETENTION_ALERTS_DAYS,
    tables: ['alert_events'],
    start: (context, cutoff, limit) => {
      const db = storeOf(context, 'alert_events');
      return deleting(() =>
        db
          .deleteFrom('alert_events')
          .where((eb) =>
            eb(
              eb.refTuple('container_id', 'at', 'alert_id', 'change'),
              'in',
              eb
                .selectFrom('alert_events')
                .select(['container_id', 'at', 'alert_id', 'change'])
                .where('at', '<', cutoff)
                .limit(limit)
                .$asTuple('container_id', 'at', 'alert_id', 'change'),
            ),
          )
          .executeTakeFirst(),
      );
    },
  },
  {
    // Only cleared alerts, counted from when they cleared: an alert still active is never purged.
    kind: 'alerts',
    days: (c) => c.RETENTION_ALERTS_DAYS,
    tables: ['alerts', 'alert_history'],
    start: (context, cutoff, limit) => {
      const db = storeOf(context, 'alerts');
      return async () => {
        // One transaction: an alert's history goes with it. Only queries inside (see OperationalDatabase).
        const deleted = await db.transaction().execute(async (trx) => {
          // An alert has a handful of history rows: take a tenth of the batch in alerts.
          const ids = (
            await trx
              .selectFrom('alerts')
              .select('id')
              .where('opened_at', '<', cutoff)
              .where('status', '=', 'cleared')
              .where('cleared_at', '<', cutoff)
              .limit(Math.max(1, Math.floor(limit / 10)))
              .execute()
          ).map((r) => r.id);
          if (ids.length === 0) return 0;
          const history = await trx
            .deleteFrom('alert_history')
            .where('alert_id', 'in', ids)
            .executeTakeFirst();
          const alerts = await trx.deleteFrom('alerts').where('id', 'in', ids).executeTakeFirst();
          return Number(history.numDeletedRows) + Number(alerts.numDeletedRows);
        });
        return { deleted, more: deleted > 0 };
      };
    },
  },
  {
    // Only ended shipments (closed or cancelled), counted from when they ended.
    kind: 'shipments',
    days: (c) => c.RETENTION_SHIPMENTS_DAYS,
    tables: ['shipments'],
    start: (context, cutoff, limit) => {
      const db = storeOf(context, 'shipments');
      return deleting(() =>
        db
          .deleteFrom('shipments')
          .where('id', 'in', (eb) =>
            eb
              .selectFrom('shipments')
              .select('id')
              .where('status', 'in', ['closed', 'cancelled'])
              .where((w) => w.fn.coalesce('closed_at', 'cancelled_at', 'updated_at'), '<', cutoff)
              .limit(limit),
          )
          .executeTakeFirst(),
      );
    },
  },
  {
    // Journey events are part of a shipment's record: kept while their shipment is kept.
    kind: 'journey-events',
    days: (c) => c.RETENTION_SHIPMENTS_DAYS,
    tables: ['journey_events', 'shipments'],
    start: (context, cutoff, limit) => withoutShipment(context, 'journey_events', cutoff, limit),
  },
  {
    // Confirmed or overridden dispositions are the signature of a record: kept with their shipment.
    kind: 'dispositions',
    days: (c) => c.RETENTION_SHIPMENTS_DAYS,
    tables: ['shipment_dispositions', 'shipments'],
    start: (context, cutoff, limit) => withoutShipment(context, 'shipment_dispositions', cutoff, limit),
  },
  {
    // A pending delivery is still being retried: only delivered or given-up ones go.
    kind: 'webhook-deliveries',
    days: (c) => c.RETENTION_WEBHOOK_DELIVERIES_DAYS,
    tables: ['webhook_deliveries'],
    start: (context, cutoff, limit) => {
      const db = storeOf(context, 'webhook_deliveries');
      return deleting(() =>
        db
          .deleteFrom('webhook_deliveries')
          .where('id', 'in', (eb) =>
            eb
              .selectFrom('webhook_deliveries')
              .select('id')
              .where('created_at', '<', cutoff)
              .where('status', '<>', 'pending')
              .limit(limit),
          )
          .executeTakeFirst(),
      );
    },
  },
  {
    // The audit log's own purge: it opens the append-only triggers' gate in its transaction.
    kind: 'audit',
    days: (c) => c.RETENTION_AUDIT_DAYS,
    tables: ['audit_log'],
    start: (context, cutoff, limit) => async () => {
      const deleted = await context.audit.purgeBefore(cutoff, limit);
      return { deleted, more: deleted > 0 };
    },
  },
  {
    kind: 'dead-letters',
    days: (c) => c.RETENTION_DEAD_LETTERS_DAYS,
    tables: ['influx_dead_letter'],
    start: (context, cutoff, limit) => {
      const db = storeOf(context, 'influx_dead_letter');
      return deleting(() =>
        db
          .deleteFrom('influx_dead_letter')
          .where('id', 'in', (eb) =>
            eb.selectFrom('influx_dead_letter').select('id').where('created_at', '<', cutoff).limit(limit),
          )
          .executeTakeFirst(),
      );
    },
  },
];
