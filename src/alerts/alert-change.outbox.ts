import { Injectable } from '@nestjs/common';
import type { Statement } from 'better-sqlite3';
import type { Migration } from '#src/storage/migration.js';
import { SqliteDatabase } from '#src/storage/sqlite-database.js';
import type { AlertWrite } from './alerts.repository.js';

const OUTBOX_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'alert changes decided from readings, until PostgreSQL stores them',
    up: `
      CREATE TABLE alert_outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT, alert TEXT NOT NULL, entry TEXT);
    `,
  },
  {
    version: 2,
    description: "the change's id, which keys its webhook deliveries in PostgreSQL",
    up: `ALTER TABLE alert_outbox ADD COLUMN change_id TEXT;`,
  },
];

/**
 * The alert changes whose write to PostgreSQL is still queued, kept in the local SQLite file
 * meanwhile (ARCHITECTURE.md §5, as `ShipmentTransitionOutbox` keeps shipment transitions). A
 * change is added before the caller goes on, so before the rule state that raised it is written:
 * a crash before PostgreSQL has it loses nothing, and the next start stores what is left here
 * (upserts by alert id, so a change stored already is not doubled). Rows are stored in id order,
 * so what is done is always a prefix.
 */
@Injectable()
export class AlertChangeOutbox {
  private insert?: Statement<[string, string | null, string | null]>;
  private removeThrough?: Statement<[number]>;
  private migrated = false;

  constructor(private readonly sqlite: SqliteDatabase) {}

  /** Keeps the change until {@link doneThrough}; returns its id. */
  add(write: AlertWrite): number {
    this.ready();
    this.insert ??= this.sqlite.connection.prepare(
      'INSERT INTO alert_outbox (alert, entry, change_id) VALUES (?, ?, ?)',
    );
    const entry = write.entry === undefined ? null : JSON.stringify(write.entry);
    return Number(
      this.insert.run(JSON.stringify(write.alert), entry, write.changeId ?? null).lastInsertRowid,
    );
  }

  /** Every change up to `id` is stored: forget them. */
  doneThrough(id: number): void {
    if (!this.sqlite.connection.open) return;
    this.ready();
    this.removeThrough ??= this.sqlite.connection.prepare('DELETE FROM alert_outbox WHERE id <= ?');
    this.removeThrough.run(id);
  }

  /** The changes left by the last run, in the order they were decided. */
  pending(): { id: number; write: AlertWrite }[] {
    this.ready();
    return this.sqlite.connection
      .prepare<[], { id: number; alert: string; entry: string | null; change_id: string | null }>(
        'SELECT * FROM alert_outbox ORDER BY id',
      )
      .all()
      .map((r) => ({
        id: r.id,
        write: {
          alert: JSON.parse(r.alert) as AlertWrite['alert'],
          ...(r.entry !== null && { entry: JSON.parse(r.entry) as AlertWrite['entry'] }),
          ...(r.change_id !== null && { changeId: r.change_id }),
        },
      }));
  }

  private ready(): void {
    if (this.migrated) return;
    this.sqlite.migrate('alert-outbox', OUTBOX_MIGRATIONS);
    this.migrated = true;
  }
}
