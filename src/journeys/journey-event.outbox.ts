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
 * what is left (inserting only rows not stored yet). Stored in id order, a page at a time, so
 * memory holds one page however long PostgreSQL is away: what is done is a prefix.
 */
export class JourneyEventOutbox {
  private readonly insert: Statement<[string]>;
  private readonly removeThrough: Statement<[number]>;
  private readonly page: Statement<[number, number], { id: number; event: string }>;

  constructor(private readonly sqlite: SqliteDatabase) {
    sqlite.migrate('journey-event-outbox', OUTBOX_MIGRATIONS);
    this.insert = sqlite.connection.prepare('INSERT INTO journey_event_outbox (event) VALUES (?)');
    this.removeThrough = sqlite.connection.prepare('DELETE FROM journey_event_outbox WHERE id <= ?');
    this.page = sqlite.connection.prepare(
      'SELECT id, event FROM journey_event_outbox WHERE id > ? ORDER BY id LIMIT ?',
    );
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

  /** Up to `limit` rows after `id`, in order. */
  after(id: number, limit: number): { id: number; row: JourneyEventRow }[] {
    return this.page.all(id, limit).map((r) => ({ id: r.id, row: JSON.parse(r.event) as JourneyEventRow }));
  }

  /** The id of the newest row kept (0 when empty). */
  lastId(): number {
    return (
      this.sqlite.connection
        .prepare<[], { id: number | null }>('SELECT max(id) AS id FROM journey_event_outbox')
        .get()?.id ?? 0
    );
  }
}
