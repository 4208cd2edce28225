import { Injectable } from '@nestjs/common';
import { TelemetryDatabase } from './telemetry-database.js';
import {
  NUMERIC_FIELDS,
  TelemetryReader,
  type AggregateQuery,
  type AggregateRow,
  type HistoryQuery,
  type HistoryRow,
} from '../telemetry.ports.js';
import { NUMERIC_COLUMN, toHistoryRow, type StoredReadingRow } from '../stored-reading-row.js';

const SQL_FUNCTION = { mean: 'AVG', min: 'MIN', max: 'MAX' } as const;

/** History from the embedded store, with the same results as the InfluxDB reader. */
@Injectable()
export class EmbeddedTelemetryReader extends TelemetryReader {
  constructor(private readonly sqlite: TelemetryDatabase) {
    super();
  }

  history(q: HistoryQuery): Promise<HistoryRow[]> {
    // The newest `limit` rows of the range, returned oldest first.
    const rows = this.sqlite.connection
      .prepare<[string, number, number, number], StoredReadingRow>(
        `SELECT * FROM (SELECT * FROM readings WHERE container_id = ? AND measured_at >= ? AND measured_at < ?
           ORDER BY measured_at DESC, device_id DESC LIMIT ?) ORDER BY measured_at, device_id`,
      )
      .all(q.containerId, q.from, q.to, q.limit);
    return Promise.resolve(rows.map(toHistoryRow));
  }

  aggregate(q: AggregateQuery): Promise<AggregateRow[]> {
    const buckets = new Map<number, AggregateRow>();
    for (const field of NUMERIC_FIELDS) {
      const column = NUMERIC_COLUMN[field];
      const sql =
        q.fn === 'last'
          ? // SQLite returns the bare column from the row holding MAX(): the newest value.
            `SELECT measured_at - (measured_at % @every) AS bucket, ${column} AS value, MAX(measured_at) AS t`
          : `SELECT measured_at - (measured_at % @every) AS bucket, ${SQL_FUNCTION[q.fn]}(${column}) AS value`;
      const rows = this.sqlite.connection
        .prepare<Record<string, string | number>, { bucket: number; value: number }>(
          `${sql} FROM readings
           WHERE container_id = @container AND measured_at >= @from AND measured_at < @to AND ${column} IS NOT NULL
           GROUP BY bucket`,
        )
        .all({ every: q.everyMs, container: q.containerId, from: q.from, to: q.to });
      for (const { bucket, value } of rows) {
        let row = buckets.get(bucket);
        if (!row) buckets.set(bucket, (row = { time: bucket }));
        row[field] = value;
      }
    }
    const sorted = [...buckets.values()].sort((a, b) => a.time - b.time);
    return Promise.resolve(sorted.slice(Math.max(0, sorted.length - q.limit)));
  }
}
