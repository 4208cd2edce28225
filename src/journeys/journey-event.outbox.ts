import type { Statement } from 'better-sqlite3';
import type { Migration } from '#src/storage/migration.js';
import type { SqliteDatabase } from '#src/storage/sqlite-database.js';
import type { JourneyEventRow } from './journey-events.table.js';

const OUTBOX_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'journey events written with their container states, until PostgreSQL stores them',
    up: `CREATE TABLE journey_event_outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, event TEXT NOT NULL);`,
  },
];

/**
 * Journey events whose write to PostgreSQL is still queued, kept in the local SQLite file
 * meanwhile (as `AlertChangeOutbox` keeps alert changes): added in the same synchronous step as
 * the container states they explain are written, so a crash loses none; the next start stores
 * what is left (inserting only rows not stored yet). Stored in id order: what is done is a prefix.
 */
export class JourneyEventOutbox {
  private readonly insert: Statement<[string]>;
  private readonly removeThrough: Statement<[number]>;

  constructor(private readonly sqlite: SqliteDatabase) {
    sqlite.migrate('journey-event-outbox', OUTBOX_MIGRATIONS);
    this.insert = sqlite.connection.prepare('INSERT INTO journey_event_outbox (event) VALUES (?)');
    this.removeThrough = sqlite.connection.prepare('DELETE FROM journey_event_outbox WHERE id <= ?');
  }

  /** Keeps the rows (one transaction); returns the id of the last. */
  add(rows: readonly JourneyEventRow[]): number {
    let last = 0;
    this.sqlite.connection.transaction(() => {
      for (const row of rows) last = Number(this.insert.run(JSON.stringify(row)).lastInsertRowid);
    })();
    return last;
  }

  /** Every row up to `id` is stored: forget them. */
  doneThrough(id: number): void {
    if (this.sqlite.connection.open) this.removeThrough.run(id);
  }

  /** The rows left by the last run, in order, with the id of the last. */
  pending(): { rows: JourneyEventRow[]; lastId: number } {
    const left = this.sqlite.connection
      .prepare<[], { id: number; event: string }>('SELECT id, event FROM journey_event_outbox ORDER BY id')
      .all();
    return {
      rows: left.map((r) => JSON.parse(r.event) as JourneyEventRow),
      lastId: left.at(-1)?.id ?? 0,
    };
  }
}
