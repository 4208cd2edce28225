import type { Migration } from '#src/storage/migration.js';
import type { StoreMigration } from '#src/storage/store-migration.js';

/** Migration scope of alerts and webhook deliveries. */
export const ALERTS_SCOPE = 'alerts';

/**
 * Alerts, their history and the webhook deliveries in the operational store (scope `alerts`). On
 * both dialects the database itself refuses a second active alert for a (container, rule): a
 * partial unique index (ARCHITECTURE.md §6).
 *
 * The SQLite texts are released as they are: versions 1 and 2 create the webhook deliveries there
 * too, which on PostgreSQL version 3 creates (its version 2 changes nothing). With PostgreSQL the
 * SQLite file still runs them ({@link SQLITE_FILE_MIGRATIONS}), so a file from before keeps its
 * table for `migrate-store` to copy. `by` is quoted on PostgreSQL (a reserved word);
 * Kysely quotes every identifier, so the queries are the same. `acknowledged` stays 0/1 on both, so
 * a row reads back the same. Ids sort bytewise (`COLLATE "C"`), as on SQLite, for the keyset pages.
 */
export const ALERTS_MIGRATIONS: readonly StoreMigration[] = [
  {
    version: 1,
    description: 'alerts, alert history, webhook deliveries',
    up: {
      sqlite: `
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
      postgres: `
        CREATE TABLE alerts (
          id TEXT COLLATE "C" PRIMARY KEY, container_id TEXT NOT NULL, shipment_id TEXT, device_id TEXT,
          rule_id TEXT NOT NULL, rule_kind TEXT NOT NULL,
          severity TEXT NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
          status TEXT NOT NULL CHECK (status IN ('active', 'cleared')),
          acknowledged INTEGER NOT NULL DEFAULT 0 CHECK (acknowledged IN (0, 1)),
          acknowledged_by TEXT, acknowledged_at BIGINT,
          opened_at BIGINT NOT NULL, last_seen_at BIGINT NOT NULL, cleared_at BIGINT,
          value DOUBLE PRECISION, peak_value DOUBLE PRECISION, count INTEGER NOT NULL,
          message TEXT NOT NULL);
        CREATE UNIQUE INDEX alerts_one_active ON alerts(container_id, rule_id) WHERE status = 'active';
        CREATE INDEX alerts_opened ON alerts(opened_at, id);
        CREATE INDEX alerts_container ON alerts(container_id, opened_at);
        CREATE INDEX alerts_shipment ON alerts(shipment_id, opened_at);
        CREATE TABLE alert_history (
          id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          alert_id TEXT COLLATE "C" NOT NULL REFERENCES alerts(id),
          at BIGINT NOT NULL, change TEXT NOT NULL, "by" TEXT NOT NULL, severity TEXT NOT NULL,
          value DOUBLE PRECISION, note TEXT);
        CREATE INDEX alert_history_alert ON alert_history(alert_id, id);
      `,
    },
  },
  {
    version: 2,
    description: 'a stable id per webhook delivery (X-Convoi-Delivery)',
    up: {
      // Rows from before get a random id of their own: 32 hex digits, as opaque as the UUIDs of new ones.
      sqlite: `
      ALTER TABLE webhook_deliveries ADD COLUMN delivery_id TEXT;
      UPDATE webhook_deliveries SET delivery_id = lower(hex(randomblob(16))) WHERE delivery_id IS NULL;
    `,
      postgres: `SELECT 1 -- webhook deliveries were in the SQLite file until version 3`,
    },
  },
  {
    version: 3,
    description: 'webhook deliveries keyed by the alert change they announce',
    up: {
      // On SQLite the deliveries are queued as the change is announced (no change id): the column
      // keeps the table alike on both, which migrate-store copies.
      sqlite: `
      ALTER TABLE webhook_deliveries ADD COLUMN change_id TEXT;
      CREATE UNIQUE INDEX webhook_deliveries_change ON webhook_deliveries(change_id, url);
    `,
      // The queue every node shares (ARCHITECTURE.md §9): queued in the transaction that stores
      // the change, once per (change, url) however often an outbox is drained again.
      postgres: `
        CREATE TABLE webhook_deliveries (
          id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, url TEXT NOT NULL,
          alert_id TEXT COLLATE "C" NOT NULL, body TEXT NOT NULL,
          status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
          attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at BIGINT NOT NULL,
          last_status INTEGER, last_error TEXT, created_at BIGINT NOT NULL, delivered_at BIGINT,
          delivery_id TEXT NOT NULL UNIQUE, change_id TEXT);
        CREATE UNIQUE INDEX webhook_deliveries_change ON webhook_deliveries(change_id, url);
        CREATE INDEX webhook_deliveries_due ON webhook_deliveries(status, next_attempt_at);
        CREATE INDEX webhook_deliveries_lane ON webhook_deliveries(url, id) WHERE status = 'pending';
      `,
    },
  },
];

/**
 * The scope's SQLite texts, which the SQLite file runs whatever the store: with PostgreSQL its
 * tables are left empty, or hold what the deployment had before it moved (`migrate-store`).
 */
export const SQLITE_FILE_MIGRATIONS: readonly Migration[] = ALERTS_MIGRATIONS.map((m) => ({
  version: m.version,
  description: m.description,
  up: m.up.sqlite,
}));
