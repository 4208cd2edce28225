import { Injectable, OnModuleInit } from '@nestjs/common';
import type { Statement } from 'better-sqlite3';
import type { ShipmentStatus } from '#src/contracts/shipment-status.js';
import type { Migration } from '#src/storage/migration.js';
import { OperationalDatabase } from '#src/storage/operational-database.js';
import { SqliteDatabase } from '#src/storage/sqlite-database.js';

/** A status change the journey concluded, to be written to the shipments table. */
export interface ShipmentTransition {
  shipmentId: string;
  from: ShipmentStatus;
  to: ShipmentStatus;
  /** When it happened, epoch ms. */
  atMs: number;
  /** When it was concluded (`updated_at`), epoch ms. */
  nowMs: number;
}

const OUTBOX_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'transitions concluded from readings, until PostgreSQL stores them',
    up: `
      CREATE TABLE shipment_transition_outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT, shipment_id TEXT NOT NULL, from_status TEXT NOT NULL,
        to_status TEXT NOT NULL, at INTEGER NOT NULL, concluded_at INTEGER NOT NULL);
    `,
  },
];

interface OutboxRow {
  id: number;
  shipment_id: string;
  from_status: ShipmentStatus;
  to_status: ShipmentStatus;
  at: number;
  concluded_at: number;
}

/**
 * The transitions concluded from readings whose write to PostgreSQL is still queued, kept in the
 * local SQLite file meanwhile (ARCHITECTURE.md §5). The journey state that concluded one is
 * written to that file before the event loop turns (journey-state.store.ts); the transition is
 * too, so a crash before PostgreSQL has it loses neither: the next start writes what is left here
 * (a compare-and-set, so one already stored is not applied twice). On SQLite the shipments table
 * is in that same file and its write lands within the same microtasks: no outbox is kept.
 */
@Injectable()
export class ShipmentTransitionOutbox implements OnModuleInit {
  readonly enabled: boolean;
  private insert?: Statement<[string, string, string, number, number]>;
  private remove?: Statement<[number]>;
  private migrated = false;

  constructor(
    private readonly sqlite: SqliteDatabase,
    store: OperationalDatabase,
  ) {
    this.enabled = store.dialect === 'postgres';
  }

  onModuleInit(): void {
    this.ready();
  }

  /** Keeps the transition until {@link done}; returns its id (undefined when no outbox is kept). */
  add(t: ShipmentTransition): number | undefined {
    if (!this.enabled) return undefined;
    this.ready();
    this.insert ??= this.sqlite.connection.prepare(
      `INSERT INTO shipment_transition_outbox (shipment_id, from_status, to_status, at, concluded_at)
       VALUES (?, ?, ?, ?, ?)`,
    );
    return Number(this.insert.run(t.shipmentId, t.from, t.to, t.atMs, t.nowMs).lastInsertRowid);
  }

  /** The transition is stored (or refused by the store's compare-and-set): forget it. */
  done(id: number | undefined): void {
    if (id === undefined || !this.sqlite.connection.open) return;
    this.remove ??= this.sqlite.connection.prepare('DELETE FROM shipment_transition_outbox WHERE id = ?');
    this.remove.run(id);
  }

  /** The transitions left by the last run, in the order they were concluded. */
  pending(): (ShipmentTransition & { id: number })[] {
    if (!this.enabled) return [];
    this.ready();
    return this.sqlite.connection
      .prepare<[], OutboxRow>('SELECT * FROM shipment_transition_outbox ORDER BY id')
      .all()
      .map((r) => ({
        id: r.id,
        shipmentId: r.shipment_id,
        from: r.from_status,
        to: r.to_status,
        atMs: r.at,
        nowMs: r.concluded_at,
      }));
  }

  private ready(): void {
    if (!this.enabled || this.migrated) return;
    this.sqlite.migrate('shipment-outbox', OUTBOX_MIGRATIONS);
    this.migrated = true;
  }
}
