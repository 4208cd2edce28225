import type { Migration } from '#src/storage/migration.js';

/** Alerts, their history of changes, and webhook deliveries. */
export const ALERTS_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'alerts, alert history, webhook deliveries',
    up: `
      CREATE TABLE alerts (
        id TEXT PRIMARY KEY, container_id TEXT NOT NULL, shipment_id TEXT, device_id TEXT,
        rule_id TEXT NOT NULL, rule_kind TEXT NOT NULL, severity TEXT NOT NULL,
        status TEXT NOT NULL, acknowledged INTEGER NOT NULL DEFAULT 0,
        acknowledged_by TEXT, acknowledged_at INTEGER,
        opened_at INTEGER NOT NULL, last_seen_at INTEGER NOT NULL, cleared_at INTEGER,
        value REAL, peak_value REAL, count INTEGER NOT NULL, message TEXT NOT NULL);
      -- One active alert per (container, rule) (ARCHITECTURE.md §6).
      CREATE UNIQUE INDEX alerts_one_active ON alerts(container_id, rule_id) WHERE status = 'active';
      CREATE INDEX alerts_opened ON alerts(opened_at);
      CREATE INDEX alerts_container ON alerts(container_id, opened_at);
      CREATE TABLE alert_history (
        id INTEGER PRIMARY KEY AUTOINCREMENT, alert_id TEXT NOT NULL REFERENCES alerts(id),
        at INTEGER NOT NULL, change TEXT NOT NULL, by TEXT NOT NULL, severity TEXT NOT NULL,
        value REAL, note TEXT);
      CREATE INDEX alert_history_alert ON alert_history(alert_id, id);
      CREATE TABLE webhook_deliveries (
        id INTEGER PRIMARY KEY AUTOINCREMENT, url TEXT NOT NULL, alert_id TEXT NOT NULL,
        body TEXT NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL, last_status INTEGER, last_error TEXT,
        created_at INTEGER NOT NULL, delivered_at INTEGER);
      CREATE INDEX webhook_deliveries_due ON webhook_deliveries(status, next_attempt_at);
    `,
  },
  {
    version: 2,
    description: 'a stable id per webhook delivery (X-Convoi-Delivery)',
    // Rows from before get a random id of their own: 32 hex digits, as opaque as the UUIDs of new ones.
    up: `
      ALTER TABLE webhook_deliveries ADD COLUMN delivery_id TEXT;
      UPDATE webhook_deliveries SET delivery_id = lower(hex(randomblob(16))) WHERE delivery_id IS NULL;
    `,
  },
];
