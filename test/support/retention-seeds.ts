import type { Database } from 'better-sqlite3';
import { sql, type QueryExecutorProvider } from 'kysely';
import { OperationalDatabase } from '#src/storage/operational-database.js';
import { dayOf } from '#src/telemetry/postgres/postgres-reading-partitions.js';
import { PostgresTelemetryWriter } from '#src/telemetry/postgres/postgres-telemetry.writer.js';
import type { TestApp } from './test-app.js';

// The retention test's rows (ids starting with `RET-`): the time series seeded and read in the
// store that holds them, and what is left of any seeded table.

/** The seeded time-series tables, as Kysely sees them. */
type SeriesTables = {
  readings: {
    container_id: string;
    measured_at: number;
    device_id: string;
    received_at: number;
    source: string;
    temperature_c: number;
    lag_ms: number;
    late: boolean;
  };
  alert_events: {
    container_id: string;
    at: number;
    alert_id: string;
    change: string;
    rule: string;
    severity: string;
    status: string;
    message: string;
  };
};

/**
 * The time series as the test seeds and reads them: in the embedded store's own file, or, with
 * PostgreSQL as the operational store and no InfluxDB, in PostgreSQL's day-partitioned tables.
 */
export interface SeededSeries {
  reading(containerId: string, at: number): Promise<void>;
  alertEvent(containerId: string, at: number, alertId: string): Promise<void>;
  readings(): Promise<unknown[]>;
  alertEvents(): Promise<unknown[]>;
}

export function embeddedSeries(series: Database): SeededSeries {
  const col = (sql: string): Promise<unknown[]> => Promise.resolve(series.prepare(sql).pluck().all());
  return {
    reading: (containerId, at) => {
      series
        .prepare(
          `INSERT INTO readings (container_id, measured_at, device_id, received_at, source, temperature_c, lag_ms, late)
           VALUES (?, ?, 'RET-D', ?, 'json', 3.5, 0, 0)`,
        )
        .run(containerId, at, at);
      return Promise.resolve();
    },
    alertEvent: (containerId, at, alertId) => {
      series
        .prepare(
          `INSERT INTO alert_events (container_id, at, alert_id, change, rule, severity, status, message)
           VALUES (?, ?, ?, 'opened', 'temperature-high', 'critical', 'active', 'm')`,
        )
        .run(containerId, at, alertId);
      return Promise.resolve();
    },
    readings: () => col("SELECT container_id FROM readings WHERE container_id LIKE 'RET-%' ORDER BY 1"),
    alertEvents: () => col("SELECT alert_id FROM alert_events WHERE alert_id LIKE 'RET-%' ORDER BY 1"),
  };
}

export function postgresSeries(app: TestApp): SeededSeries {
  const db = app.running.app.get(OperationalDatabase).db.withTables<SeriesTables>();
  const partitions = app.running.app.get(PostgresTelemetryWriter).partitions;
  return {
    reading: async (containerId, at) => {
      await partitions.ensure([dayOf(at)]); // no default partition: the day's must exist
      await db
        .insertInto('readings')
        .values({
          container_id: containerId,
          measured_at: at,
          device_id: 'RET-D',
          received_at: at,
          source: 'json',
          temperature_c: 3.5,
          lag_ms: 0,
          late: false,
        })
        .execute();
    },
    alertEvent: async (containerId, at, alertId) => {
      await db
        .insertInto('alert_events')
        .values({
          container_id: containerId,
          at,
          alert_id: alertId,
          change: 'opened',
          rule: 'temperature-high',
          severity: 'critical',
          status: 'active',
          message: 'm',
        })
        .execute();
    },
    readings: () => seededValues(db, 'readings', 'container_id'),
    alertEvents: () => seededValues(db, 'alert_events', 'alert_id'),
  };
}

/** The values of a column that start with `RET-`, sorted: what is left of the rows seeded here. */
export async function seededValues(
  db: QueryExecutorProvider,
  table: string,
  column: string,
): Promise<unknown[]> {
  const { rows } = await sql<{ value: unknown }>`SELECT ${sql.ref(column)} AS value FROM ${sql.table(table)}
    WHERE ${sql.ref(column)} LIKE 'RET-%' ORDER BY 1`.execute(db);
  return rows.map((r) => r.value);
}
