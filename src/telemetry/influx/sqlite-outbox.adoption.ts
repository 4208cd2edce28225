import type { Kysely } from 'kysely';
import type { SqliteDatabase } from '#src/storage/sqlite-database.js';
import type { InfluxOutboxTables } from './influx-outbox.tables.js';

/** Rows moved per PostgreSQL transaction (a row is a batch of up to INFLUX_BATCH_SIZE lines). */
const PAGE_ROWS = 200;

type Table = keyof InfluxOutboxTables;

const COLUMNS: { [T in Table]: readonly string[] } = {
  influx_outbox: ['created_at', 'line_count', 'lines', 'attempts', 'last_error'],
  influx_dead_letter: ['created_at', 'line_count', 'lines', 'status', 'reason'],
};

/**
 * Moves what a node's SQLite file still holds of the InfluxDB outbox and dead letters (queued
 * before the node ran with `DATABASE_URL`, or before this version) into PostgreSQL, oldest
 * first, a page at a time: inserted in PostgreSQL, then deleted from the file. A crash between
 * the two sends those lines twice, which InfluxDB absorbs (a point is keyed by its tags and
 * time); deleting first could lose them. Returns the rows moved from each table.
 */
export async function adoptSqliteOutbox(
  sqlite: SqliteDatabase,
  db: Kysely<InfluxOutboxTables>,
): Promise<{ [T in Table]: number }> {
  const moved = { influx_outbox: 0, influx_dead_letter: 0 };
  for (const table of Object.keys(COLUMNS) as Table[]) {
    const exists = sqlite.connection
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?")
      .get(table);
    if (exists === undefined) continue;
    const page = sqlite.connection.prepare<[], { id: number } & Record<string, unknown>>(
      `SELECT id, ${COLUMNS[table].join(', ')} FROM ${table} ORDER BY id LIMIT ${PAGE_ROWS}`,
    );
    const remove = sqlite.connection.prepare<[number]>(`DELETE FROM ${table} WHERE id <= ?`);
    for (let rows = page.all(); rows.length > 0; rows = page.all()) {
      const values = rows.map(({ id: _id, ...row }) => row);
      // The columns are the table's own (influx-outbox.migrations.ts), as Kysely types them.
      await db
        .insertInto(table)
        .values(values as never)
        .execute();
      remove.run(rows[rows.length - 1].id);
      moved[table] += rows.length;
    }
  }
  return moved;
}
