import { Injectable, OnModuleInit } from '@nestjs/common';
import type { Generated, Kysely } from 'kysely';
import { OperationalDatabase } from '#src/storage/operational-database.js';
import {
  RECORD_DISPOSITIONS_MIGRATIONS,
  RECORD_DISPOSITIONS_SCOPE,
} from './record-dispositions.migrations.js';
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

/** The table as Kysely sees it (record-dispositions.migrations.ts creates it). */
type DispositionTables = {
  shipment_dispositions: {
    id: Generated<number>;
    shipment_id: string;
    decision: Disposition;
    reason: string;
    computed: Disposition;
    actor: string;
    /** Epoch ms. */
    at: number;
  };
};

/** Access to confirmed dispositions in the operational store (SQLite or PostgreSQL, one query for both). */
@Injectable()
export class RecordDispositionsRepository implements OnModuleInit {
  private readonly db: Kysely<DispositionTables>;

  constructor(private readonly store: OperationalDatabase) {
    this.db = store.db.withTables<DispositionTables>();
  }

  async onModuleInit(): Promise<void> {
    await this.store.migrate(RECORD_DISPOSITIONS_SCOPE, RECORD_DISPOSITIONS_MIGRATIONS);
  }

  async add(
    shipmentId: string,
    d: { decision: Disposition; reason: string; computed: Disposition; by: string; at: number },
  ): Promise<void> {
    await this.db
      .insertInto('shipment_dispositions')
      .values({
        shipment_id: shipmentId,
        decision: d.decision,
        reason: d.reason,
        computed: d.computed,
        actor: d.by,
        at: d.at,
      })
      .execute();
  }

  /** Every decision on the shipment, oldest first. */
  async history(shipmentId: string): Promise<ConfirmedDisposition[]> {
    const rows = await this.db
      .selectFrom('shipment_dispositions')
      .select(['decision', 'reason', 'computed', 'actor', 'at'])
      .where('shipment_id', '=', shipmentId)
      .orderBy('id')
      .execute();
    return rows.map((r) => ({
      decision: r.decision,
      reason: r.reason,
      computed: r.computed,
      overridden: r.decision !== r.computed,
      by: r.actor,
      at: new Date(r.at).toISOString(),
    }));
  }
}
