import { sql, type Kysely } from 'kysely';
import { ALERTS_MIGRATIONS, ALERTS_SCOPE } from '#src/alerts/alerts.migrations.js';
import { API_KEY_MIGRATIONS, API_KEYS_SCOPE } from '#src/auth/api-key.migrations.js';
import { AUDIT_MIGRATIONS, AUDIT_SCOPE } from '#src/audit/audit.migrations.js';
import { BROKER_AUTH_MIGRATIONS, BROKER_AUTH_SCOPE } from '#src/broker/auth/broker-auth.migrations.js';
import { JOURNEY_EVENTS_MIGRATIONS, JOURNEY_EVENTS_SCOPE } from '#src/journeys/journey-events.migrations.js';
import { FLEET_MIGRATIONS, FLEET_SCOPE } from '#src/fleet/fleet.migrations.js';
import {
  RECORD_DISPOSITIONS_MIGRATIONS,
  RECORD_DISPOSITIONS_SCOPE,
} from '#src/records/record-dispositions.migrations.js';
import { PROFILES_MIGRATIONS, PROFILES_SCOPE } from '#src/profiles/profiles.migrations.js';
import { SHIPMENTS_MIGRATIONS, SHIPMENTS_SCOPE } from '#src/shipments/shipments.migrations.js';
import { STATE_MIGRATIONS, STATE_SCOPE } from '#src/state/state.migrations.js';
import {
  STATE_CHECKPOINT_MIGRATIONS,
  STATE_CHECKPOINT_SCOPE,
} from '#src/storage/state-checkpoint.migrations.js';
import type { StoreMigration } from '#src/storage/store-migration.js';
import {
  INFLUX_MIGRATION_SCOPE,
  INFLUX_OUTBOX_MIGRATIONS,
} from '#src/telemetry/influx/influx-outbox.migrations.js';
import { TELEMETRY_FILE } from '#src/telemetry/embedded/telemetry-database.js';
import {
  PARTITION_DAY_MS,
  PostgresReadingPartitions,
} from '#src/telemetry/postgres/postgres-reading-partitions.js';
import {
  POSTGRES_TELEMETRY_MIGRATIONS,
  POSTGRES_TELEMETRY_SCOPE,
} from '#src/telemetry/postgres/postgres-telemetry.migrations.js';
import type { SqliteSource } from './sqlite-source.js';

/** The operational store's SQLite file in DATA_DIR (sqlite-database.ts). */
export const OPERATIONAL_FILE = 'convoi.sqlite';

/** A table PostgreSQL holds for convoi when DATABASE_URL is set, and where it was before. */
export interface MovedTable {
  table: string;
  /** The SQLite file in DATA_DIR that holds the table on a SQLite deployment. */
  file: string;
  /** The primary key: rows are copied and compared in its order. */
  key: readonly string[];
  /** The migrations that create the table on PostgreSQL, as the owning feature runs them. */
  scope: string;
  migrations: readonly StoreMigration[];
  /** A time-series table: on PostgreSQL only when InfluxDB does not keep the time series. */
  timeSeries?: true;
  /**
   * A table a feature makes only once it runs (the InfluxDB outbox: with INFLUX_URL): a source
   * without it has nothing to move, and the app creates it on PostgreSQL when the feature starts.
   */
  optional?: true;
  /** Makes the target ready for the source's rows (the day partitions of readings). */
  prepare?: (source: SqliteSource, target: Kysely<object>) => Promise<void>;
  /** Empties the target table (`--replace`), inside the copy's transaction. Default: DELETE. */
  empty?: (trx: Kysely<object>) => Promise<void>;
}

/**
 * Every table PostgreSQL holds for convoi, in copy order. When another feature moves to
 * PostgreSQL, its tables get a line here and `convoi migrate-store` moves them too. Tables that
 * stay in SQLite even with DATABASE_URL set (state, the shipment transition and alert outboxes)
 * are not listed: convoi keeps reading them from DATA_DIR.
 */
export const MOVED_TABLES: readonly MovedTable[] = [
  {
    table: 'api_keys',
    file: OPERATIONAL_FILE,
    key: ['id'],
    scope: API_KEYS_SCOPE,
    migrations: API_KEY_MIGRATIONS,
  },
  // The fleet in foreign-key order: a container names its home site, a binding its device and container.
  ...['sites', 'containers', 'devices', 'device_bindings'].map((table): MovedTable => ({
    table,
    file: OPERATIONAL_FILE,
    key: ['id'],
    scope: FLEET_SCOPE,
    migrations: FLEET_MIGRATIONS,
    empty: emptyReferenced(table),
  })),
  // Before shipments: on PostgreSQL each shipment's profile_id references it.
  {
    table: 'profiles',
    file: OPERATIONAL_FILE,
    key: ['id'],
    scope: PROFILES_SCOPE,
    migrations: PROFILES_MIGRATIONS,
    empty: emptyProfiles,
  },
  {
    table: 'shipments',
    file: OPERATIONAL_FILE,
    key: ['id'],
    scope: SHIPMENTS_SCOPE,
    migrations: SHIPMENTS_MIGRATIONS,
  },
  {
    table: 'shipment_dispositions',
    file: OPERATIONAL_FILE,
    key: ['id'],
    scope: RECORD_DISPOSITIONS_SCOPE,
    migrations: RECORD_DISPOSITIONS_MIGRATIONS,
  },
  {
    table: 'alerts',
    file: OPERATIONAL_FILE,
    key: ['id'],
    scope: ALERTS_SCOPE,
    migrations: ALERTS_MIGRATIONS,
  },
  // After alerts: each entry refers to its alert.
  {
    table: 'alert_history',
    file: OPERATIONAL_FILE,
    key: ['id'],
    scope: ALERTS_SCOPE,
    migrations: ALERTS_MIGRATIONS,
  },
  // The queue and log of webhook deliveries: pending ones are sent from PostgreSQL after the move.
  {
    table: 'webhook_deliveries',
    file: OPERATIONAL_FILE,
    key: ['id'],
    scope: ALERTS_SCOPE,
    migrations: ALERTS_MIGRATIONS,
  },
  {
    table: 'audit_log',
    file: OPERATIONAL_FILE,
    key: ['id'],
    scope: AUDIT_SCOPE,
    migrations: AUDIT_MIGRATIONS,
    empty: emptyAuditLog,
  },
  // MQTT credentials (hashes only): every edge on the PostgreSQL authenticates against them.
  {
    table: 'device_credentials',
    file: OPERATIONAL_FILE,
    key: ['device_id'],
    scope: BROKER_AUTH_SCOPE,
    migrations: BROKER_AUTH_MIGRATIONS,
  },
  {
    table: 'integration_credentials',
    file: OPERATIONAL_FILE,
    key: ['name'],
    scope: BROKER_AUTH_SCOPE,
    migrations: BROKER_AUTH_MIGRATIONS,
  },
  // A shipment's record (departures, stops, geofence crossings), kept while its shipment is.
  {
    table: 'journey_events',
    file: OPERATIONAL_FILE,
    key: ['id'],
    scope: JOURNEY_EVENTS_SCOPE,
    migrations: JOURNEY_EVENTS_MIGRATIONS,
  },
  // The InfluxDB outbox and dead letters: every node's queue on PostgreSQL, replayed by one node.
  ...['influx_outbox', 'influx_dead_letter'].map((table): MovedTable => ({
    table,
    file: OPERATIONAL_FILE,
    key: ['id'],
    scope: INFLUX_MIGRATION_SCOPE,
    migrations: INFLUX_OUTBOX_MIGRATIONS,
    optional: true,
  })),
  ...stateTables(),
  {
    table: 'readings',
    file: TELEMETRY_FILE,
    key: ['container_id', 'measured_at', 'device_id'],
    scope: POSTGRES_TELEMETRY_SCOPE,
    migrations: POSTGRES_TELEMETRY_MIGRATIONS,
    timeSeries: true,
    prepare: createReadingDays,
  },
  {
    table: 'alert_events',
    file: TELEMETRY_FILE,
    key: ['container_id', 'at', 'alert_id', 'change'],
    scope: POSTGRES_TELEMETRY_SCOPE,
    migrations: POSTGRES_TELEMETRY_MIGRATIONS,
    timeSeries: true,
  },
];

/**
 * `readings` has no default partition (postgres-reading-partitions.ts): the partition of every
 * day the source has readings of must exist before they are inserted.
 */
async function createReadingDays(source: SqliteSource, target: Kysely<object>): Promise<void> {
  const days = source.all<{ day: number }>(
    TELEMETRY_FILE,
    `SELECT DISTINCT measured_at / ${PARTITION_DAY_MS} AS day FROM readings`,
  );
  // measured_at is epoch ms after 1970: integer division is the floor dayOf takes.
  await new PostgresReadingPartitions(target).ensure(days.map((r) => r.day));
}

/**
 * Shipments in PostgreSQL name profiles (shipments.migrations.ts, version 2): their foreign key is
 * deferred to the commit of this copy, by when the source's profiles are back. A shipment naming
 * a profile the source does not have makes the copy fail, and roll back.
 */
async function emptyProfiles(trx: Kysely<object>): Promise<void> {
  await sql`SET CONSTRAINTS shipments_profile_id_fkey DEFERRED`.execute(trx);
  await sql`DELETE FROM profiles`.execute(trx);
}

/**
 * Empties a table other tables' rows refer to (the fleet's), their foreign keys deferred to the
 * commit of this copy, by when the source's rows are back. A row naming one the source does not
 * have makes the copy fail, and roll back.
 */
function emptyReferenced(table: string): (trx: Kysely<object>) => Promise<void> {
  return async (trx) => {
    await sql`SET CONSTRAINTS ALL DEFERRED`.execute(trx);
    await sql`DELETE FROM ${sql.id(table)}`.execute(trx);
  };
}

/**
 * The audit log refuses DELETE unless its purge gate is open (audit.migrations.ts): opened and
 * closed again within the copy's transaction, as the retention purge does.
 */
async function emptyAuditLog(trx: Kysely<object>): Promise<void> {
  await sql`UPDATE audit_purge_gate SET open = 1 WHERE id = 1`.execute(trx);
  await sql`DELETE FROM audit_log`.execute(trx);
  await sql`UPDATE audit_purge_gate SET open = 0 WHERE id = 1`.execute(trx);
}

/**
 * The containers' state (`state_pages`, `container_states`) and the input-log positions it
 * reflects (`state_checkpoint`, `partition_checkpoint`) with the partition count (PostgreSQL
 * holds them with DATABASE_URL): moved together, the node's inbox in DATA_DIR replays from those
 * positions as before the move. Without them the state could not be rebuilt (the inbox forgets
 * what a checkpoint covers). `state_meta` stays: PostgreSQL's count is `partition_count`'s.
 */
function stateTables(): MovedTable[] {
  const state = { file: OPERATIONAL_FILE, scope: STATE_SCOPE, migrations: STATE_MIGRATIONS };
  const checkpoint = {
    file: OPERATIONAL_FILE,
    scope: STATE_CHECKPOINT_SCOPE,
    migrations: STATE_CHECKPOINT_MIGRATIONS,
  };
  return [
    { table: 'state_pages', key: ['partition', 'page'], ...state },
    { table: 'container_states', key: ['container_id'], ...state },
    { table: 'state_checkpoint', key: ['log'], ...checkpoint },
    { table: 'partition_checkpoint', key: ['log', 'partition'], ...checkpoint },
    { table: 'partition_count', key: ['id'], ...checkpoint },
  ];
}
