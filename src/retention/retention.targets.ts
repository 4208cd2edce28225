import type { Database } from 'better-sqlite3';
import type { RetentionConfig } from './retention.config.js';

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

/**
 * One kind of stored data and how to delete its rows older than a cutoff, at most `limit` rows
 * per call (the caller wraps a call in one transaction and yields between calls).
 */
export interface RetentionTarget {
  kind: RetentionKind;
  /** Days kept, from configuration; 0 keeps forever. */
  days(config: RetentionConfig): number;
  /** Tables the target needs: a target whose tables do not exist (store not in use) is skipped. */
  tables: readonly string[];
  /** Deletes one batch; returns the number of rows deleted (0 when nothing is left). */
  deleteBatch(db: Database, cutoffMs: number, limit: number): number;
}

const ids = (rows: { id: string | number }[]): string => JSON.stringify(rows.map((r) => r.id));

export const RETENTION_TARGETS: readonly RetentionTarget[] = [
  {
    kind: 'readings',
    days: (c) => c.RETENTION_READINGS_DAYS,
    tables: ['readings'],
    // WITHOUT ROWID table: delete by primary key, the oldest found through readings_measured_at.
    deleteBatch: (db, cutoff, limit) =>
      db
        .prepare(
          `DELETE FROM readings WHERE (container_id, measured_at, device_id) IN (
             SELECT container_id, measured_at, device_id FROM readings WHERE measured_at < ? LIMIT ?)`,
        )
        .run(cutoff, limit).changes,
  },
  {
    // The embedded store's "alert" measurement follows the alerts it annotates.
    kind: 'alert-events',
    days: (c) => c.RETENTION_ALERTS_DAYS,
    tables: ['alert_events'],
    deleteBatch: (db, cutoff, limit) =>
      db
        .prepare(
          `DELETE FROM alert_events WHERE (container_id, at, alert_id, change) IN (
             SELECT container_id, at, alert_id, change FROM alert_events WHERE at < ? LIMIT ?)`,
        )
        .run(cutoff, limit).changes,
  },
  {
    // Only cleared alerts, counted from when they cleared: an alert still active is never purged.
    kind: 'alerts',
    days: (c) => c.RETENTION_ALERTS_DAYS,
    tables: ['alerts', 'alert_history'],
    deleteBatch: (db, cutoff, limit) => {
      // An alert has a handful of history rows: take a tenth of the batch in alerts.
      const rows = db
        .prepare<[number, number, number], { id: string }>(
          `SELECT id FROM alerts WHERE opened_at < ? AND status = 'cleared' AND cleared_at < ? LIMIT ?`,
        )
        .all(cutoff, cutoff, Math.max(1, Math.floor(limit / 10)));
      if (rows.length === 0) return 0;
      const list = ids(rows);
      const history = db
        .prepare('DELETE FROM alert_history WHERE alert_id IN (SELECT value FROM json_each(?))')
        .run(list).changes;
      return (
        history +
        db.prepare('DELETE FROM alerts WHERE id IN (SELECT value FROM json_each(?))').run(list).changes
      );
    },
  },
  {
    // Only ended shipments (closed or cancelled), counted from when they ended.
    kind: 'shipments',
    days: (c) => c.RETENTION_SHIPMENTS_DAYS,
    tables: ['shipments'],
    deleteBatch: (db, cutoff, limit) =>
      db
        .prepare(
          `DELETE FROM shipments WHERE rowid IN (
             SELECT rowid FROM shipments WHERE status IN ('closed', 'cancelled')
               AND COALESCE(closed_at, cancelled_at, updated_at) < ? LIMIT ?)`,
        )
        .run(cutoff, limit).changes,
  },
  {
    // Journey events are part of a shipment's record: kept while their shipment is kept.
    kind: 'journey-events',
    days: (c) => c.RETENTION_SHIPMENTS_DAYS,
    tables: ['journey_events', 'shipments'],
    deleteBatch: (db, cutoff, limit) =>
      db
        .prepare(
          `DELETE FROM journey_events WHERE id IN (
             SELECT id FROM journey_events WHERE at < ?
               AND (shipment_id IS NULL OR shipment_id NOT IN (SELECT id FROM shipments)) LIMIT ?)`,
        )
        .run(cutoff, limit).changes,
  },
  {
    // Confirmed or overridden dispositions are the signature of a record: kept with their shipment.
    kind: 'dispositions',
    days: (c) => c.RETENTION_SHIPMENTS_DAYS,
    tables: ['shipment_dispositions', 'shipments'],
    deleteBatch: (db, cutoff, limit) =>
      db
        .prepare(
          `DELETE FROM shipment_dispositions WHERE id IN (
             SELECT id FROM shipment_dispositions WHERE at < ?
               AND shipment_id NOT IN (SELECT id FROM shipments) LIMIT ?)`,
        )
        .run(cutoff, limit).changes,
  },
  {
    // A pending delivery is still being retried: only delivered or given-up ones go.
    kind: 'webhook-deliveries',
    days: (c) => c.RETENTION_WEBHOOK_DELIVERIES_DAYS,
    tables: ['webhook_deliveries'],
    deleteBatch: (db, cutoff, limit) =>
      db
        .prepare(
          `DELETE FROM webhook_deliveries WHERE id IN (
             SELECT id FROM webhook_deliveries WHERE created_at < ? AND status <> 'pending' LIMIT ?)`,
        )
        .run(cutoff, limit).changes,
  },
  {
    // The append-only triggers let a DELETE through only while the gate is open, in this transaction.
    kind: 'audit',
    days: (c) => c.RETENTION_AUDIT_DAYS,
    tables: ['audit_log', 'audit_purge_gate'],
    deleteBatch: (db, cutoff, limit) => {
      db.prepare('UPDATE audit_purge_gate SET open = 1 WHERE id = 1').run();
      try {
        return db
          .prepare('DELETE FROM audit_log WHERE id IN (SELECT id FROM audit_log WHERE at < ? LIMIT ?)')
          .run(cutoff, limit).changes;
      } finally {
        db.prepare('UPDATE audit_purge_gate SET open = 0 WHERE id = 1').run();
      }
    },
  },
  {
    kind: 'dead-letters',
    days: (c) => c.RETENTION_DEAD_LETTERS_DAYS,
    tables: ['influx_dead_letter'],
    deleteBatch: (db, cutoff, limit) =>
      db
        .prepare(
          `DELETE FROM influx_dead_letter WHERE id IN (
             SELECT id FROM influx_dead_letter WHERE created_at < ? LIMIT ?)`,
        )
        .run(cutoff, limit).changes,
  },
];
