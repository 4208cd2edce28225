import { Injectable, OnModuleInit } from '@nestjs/common';
import { SqliteDatabase } from '#src/storage/sqlite-database.js';
import type { Migration } from '#src/storage/migration.js';
import type { Disposition } from './record.types.js';

/** A planner's decision on a shipment's record: confirms or overrides the computed one. */
export interface ConfirmedDisposition {
  decision: Disposition;
  reason: string;
  /** What the record computed when the planner decided. */
  computed: Disposition;
  overridden: boolean;
  /** API key name. */
  by: string;
  /** ISO-8601. */
  at: string;
}

const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'confirmed dispositions (every decision kept, the newest applies)',
    up: `
      CREATE TABLE shipment_dispositions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        shipment_id TEXT NOT NULL,
        decision TEXT NOT NULL,
        reason TEXT NOT NULL,
        computed TEXT NOT NULL,
        actor TEXT NOT NULL,
        at INTEGER NOT NULL);
      CREATE INDEX shipment_dispositions_shipment ON shipment_dispositions(shipment_id, id);
    `,
  },
];

interface Row {
  decision: Disposition;
  reason: string;
  computed: Disposition;
  actor: string;
  at: number;
}

/** SQL access to confirmed dispositions (scope `shipment_records`). */
@Injectable()
export class RecordDispositionsRepository implements OnModuleInit {
  constructor(private readonly sqlite: SqliteDatabase) {}

  onModuleInit(): void {
    this.sqlite.migrate('shipment_records', MIGRATIONS);
  }

  add(
    shipmentId: string,
    d: { decision: Disposition; reason: string; computed: Disposition; by: string; at: number },
  ): void {
    this.sqlite.connection
      .prepare(
        'INSERT INTO shipment_dispositions (shipment_id, decision, reason, computed, actor, at) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(shipmentId, d.decision, d.reason, d.computed, d.by, d.at);
  }

  /** Every decision on the shipment, oldest first. */
  history(shipmentId: string): ConfirmedDisposition[] {
    return this.sqlite.connection
      .prepare<[string], Row>(
        'SELECT decision, reason, computed, actor, at FROM shipment_dispositions WHERE shipment_id = ? ORDER BY id',
      )
      .all(shipmentId)
      .map((r) => ({
        decision: r.decision,
        reason: r.reason,
        computed: r.computed,
        overridden: r.decision !== r.computed,
        by: r.actor,
        at: new Date(r.at).toISOString(),
      }));
  }
}
