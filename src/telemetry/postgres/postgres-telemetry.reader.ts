import { Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import { OperationalDatabase } from '#src/storage/operational-database.js';
import {
  NUMERIC_FIELDS,
  TelemetryReader,
  type AggregateQuery,
  type AggregateRow,
  type HistoryQuery,
  type HistoryRow,
  type NumericField,
} from '../telemetry.ports.js';
import { NUMERIC_COLUMN, toHistoryRow, type StoredReadingRow } from '../stored-reading-row.js';

/** Per aggregate function, the SQL of one field's value in a bucket (NULL when it has none). */
const AGGREGATE_SQL: Record<AggregateQuery['fn'], (column: string) => string> = {
  mean: (c) => `avg(${c})`,
  min: (c) => `min(${c})`,
  max: (c) => `max(${c})`,
  // The newest value of the bucket, as the embedded store's MAX(measured_at) row gives it: of
  // readings at the same instant, the first in key order (SQLite keeps the first maximum it meets).
  last: (c) =>
    `(array_agg(${c} ORDER BY measured_at DESC, device_id COLLATE "C") FILTER (WHERE ${c} IS NOT NULL))[1]`,
};

/** One bucket's values, every field in one query (the embedded store runs one per field). */
const AGGREGATE_COLUMNS = Object.fromEntries(
  Object.entries(AGGREGATE_SQL).map(([fn, expr]) => [
    fn,
    sql.raw(NUMERIC_FIELDS.map((f) => `${expr(NUMERIC_COLUMN[f])} AS "${f}"`).join(', ')),
  ]),
) as Record<AggregateQuery['fn'], ReturnType<typeof sql.raw>>;

/** A bucket counts when at least one numeric field has a value in it (as in the embedded store). */
const ANY_NUMERIC = sql.raw(NUMERIC_FIELDS.map((f) => `${NUMERIC_COLUMN[f]} IS NOT NULL`).join(' OR '));

/**
 * History from PostgreSQL's `readings`, with the same results as the embedded and InfluxDB
 * readers. Ties on measured_at are ordered by device id byte by byte (COLLATE "C"), as SQLite
 * compares text, whatever the database's collation. The measured_at range lets the planner
 * skip every partition outside it.
 */
@Injectable()
export class PostgresTelemetryReader extends TelemetryReader {
  constructor(private readonly store: OperationalDatabase) {
    super();
  }

  async history(q: HistoryQuery): Promise<HistoryRow[]> {
    // The newest `limit` rows of the range, returned oldest first.
    const { rows } = await sql<StoredReadingRow>`
      SELECT * FROM (SELECT * FROM readings
        WHERE container_id = ${q.containerId} AND measured_at >= ${q.from} AND measured_at < ${q.to}
        ORDER BY measured_at DESC, device_id COLLATE "C" DESC LIMIT ${q.limit}) newest
      ORDER BY measured_at, device_id COLLATE "C"`.execute(this.store.db);
    return rows.map(toHistoryRow);
  }

  async aggregate(q: AggregateQuery): Promise<AggregateRow[]> {
    const { rows } = await sql<{ bucket: number } & Record<NumericField, number | null>>`
      SELECT * FROM (
        SELECT measured_at - (measured_at % ${q.everyMs}) AS bucket, ${AGGREGATE_COLUMNS[q.fn]}
        FROM readings
        WHERE container_id = ${q.containerId} AND measured_at >= ${q.from} AND measured_at < ${q.to}
          AND (${ANY_NUMERIC})
        GROUP BY bucket ORDER BY bucket DESC LIMIT ${q.limit}) newest
      ORDER BY bucket`.execute(this.store.db);
    return rows.map((r) => {
      const row: AggregateRow = { time: Number(r.bucket) };
      for (const field of NUMERIC_FIELDS) {
        const value = r[field];
        if (value !== null) row[field] = Number(value);
      }
      return row;
    });
  }
}
