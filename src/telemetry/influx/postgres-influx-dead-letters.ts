import { sql, type Kysely, type Transaction } from 'kysely';
import type { Clock } from '#src/common/clock.js';
import type { DeadLetterRow, DeadLetterSummary, DroppedDeadLetters } from './influx-dead-letter.store.js';
import type { DeadPart } from './influx-outbox.js';
import type { InfluxOutboxTables } from './influx-outbox.tables.js';

/**
 * The dead letters in PostgreSQL (table `influx_dead_letter`), shared by every node: any node
 * lists, requeues or deletes them (REST), the node that got the refusal inserts them. Counted
 * from the table, as on SQLite: letters are rare, and retention deletes them too.
 */
export class PostgresInfluxDeadLetters {
  private bound?: { maxLines: number; onDropped: (dropped: DroppedDeadLetters) => void };

  constructor(
    private readonly db: Kysely<InfluxOutboxTables>,
    private readonly clock: Clock,
  ) {}

  setBound(maxLines: number, onDropped: (dropped: DroppedDeadLetters) => void): void {
    this.bound = { maxLines, onDropped };
  }

  /** Inserts letters on `db` (a transaction's, or the store's); call {@link trim} after it commits. */
  async insert(db: Kysely<InfluxOutboxTables>, parts: readonly DeadPart[]): Promise<void> {
    if (parts.length === 0) return;
    const at = this.clock.now();
    await db
      .insertInto('influx_dead_letter')
      .values(
        parts.map((p) => ({
          created_at: at,
          line_count: p.lines.length,
          lines: p.lines.join('\n'),
          status: p.status,
          reason: p.reason,
        })),
      )
      .execute();
  }

  async list(limit: number, afterId = 0): Promise<DeadLetterSummary[]> {
    const rows = await this.db
      .selectFrom('influx_dead_letter')
      .selectAll()
      .where('id', '>', afterId)
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      id: r.id,
      createdAt: r.created_at,
      lineCount: r.line_count,
      status: r.status,
      reason: r.reason,
      sample: r.lines.split('\n', 3),
    }));
  }

  async count(): Promise<number> {
    const row = await this.db
      .selectFrom('influx_dead_letter')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Deletes letter `id` within `trx` and returns it (to requeue it); undefined when there is none. */
  async take(trx: Transaction<InfluxOutboxTables>, id: number): Promise<DeadLetterRow | undefined> {
    return trx.deleteFrom('influx_dead_letter').where('id', '=', id).returningAll().executeTakeFirst();
  }

  async delete(id: number): Promise<boolean> {
    const result = await this.db.deleteFrom('influx_dead_letter').where('id', '=', id).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  /**
   * Deletes the oldest letters until at most the bound's lines remain, in one statement: a letter
   * goes when the lines of it and every newer letter pass the bound. Two nodes trimming at once
   * each count only the rows their own DELETE removed.
   */
  async trim(): Promise<void> {
    if (!this.bound) return;
    const { maxLines, onDropped } = this.bound;
    const { rows } = await sql<{ line_count: number; created_at: number }>`
      DELETE FROM influx_dead_letter WHERE id IN (
        SELECT id FROM (
          SELECT id, sum(line_count) OVER (ORDER BY id DESC) AS newer FROM influx_dead_letter
        ) AS letters WHERE newer > ${maxLines})
      RETURNING line_count, created_at`.execute(this.db);
    if (rows.length === 0) return;
    onDropped({
      letters: rows.length,
      lines: rows.reduce((n, r) => n + r.line_count, 0),
      oldestCreatedAt: Math.min(...rows.map((r) => r.created_at)),
    });
  }
}
