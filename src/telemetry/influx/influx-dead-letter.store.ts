import type { Database, Statement } from 'better-sqlite3';
import type { Clock } from '#src/common/clock.js';

export interface DeadLetterSummary {
  id: number;
  createdAt: number;
  lineCount: number;
  status: number;
  reason: string;
  /** The first lines, for an operator to see what was refused. */
  sample: string[];
}

/** Dead letters dropped at the bound, oldest first. */
export interface DroppedDeadLetters {
  letters: number;
  lines: number;
  /** created_at of the oldest dropped letter, epoch ms. */
  oldestCreatedAt: number;
}

export interface DeadLetterRow {
  id: number;
  created_at: number;
  line_count: number;
  lines: string;
  status: number;
  reason: string;
}

type DeadSize = Pick<DeadLetterRow, 'id' | 'line_count' | 'created_at'>;

/**
 * Batches InfluxDB refused for good (table `influx_dead_letter`, created by the outbox's
 * migrations), kept for an operator to inspect, replay or delete, within a bound of lines.
 */
export class InfluxDeadLetterStore {
  private stmts?: Record<'insert' | 'list' | 'get' | 'delete' | 'lines' | 'oldest' | 'drop', Statement>;
  private bound?: { maxLines: number; onDropped: (dropped: DroppedDeadLetters) => void };

  constructor(private readonly clock: Clock) {}

  /** Prepares the statements once the tables exist, and applies the bound set before. */
  open(db: Database): void {
    const p = (sql: string): Statement => db.prepare(sql);
    this.stmts = {
      insert: p(
        'INSERT INTO influx_dead_letter (created_at, line_count, lines, status, reason) VALUES (?, ?, ?, ?, ?)',
      ),
      list: p('SELECT * FROM influx_dead_letter WHERE id > ? ORDER BY id LIMIT ?'),
      get: p('SELECT * FROM influx_dead_letter WHERE id = ?'),
      delete: p('DELETE FROM influx_dead_letter WHERE id = ?'),
      lines: p('SELECT COALESCE(SUM(line_count), 0) AS n FROM influx_dead_letter'),
      oldest: p('SELECT id, line_count, created_at FROM influx_dead_letter ORDER BY id'),
      drop: p('DELETE FROM influx_dead_letter WHERE id <= ?'),
    };
    this.trim();
  }

  /**
   * Keeps at most `maxLines` dead-lettered lines: past it the oldest letters go, and `onDropped`
   * hears of it. Refused data waits for an operator, who may never come: unbounded, a schema
   * conflict on a busy fleet would fill the disk that the outbox and SQLite need.
   */
  setBound(maxLines: number, onDropped: (dropped: DroppedDeadLetters) => void): void {
    this.bound = { maxLines, onDropped };
    if (this.stmts) this.trim();
  }

  /** Inserts a letter; call {@link trim} after the transaction it belongs to. */
  insert(lines: readonly string[], status: number, reason: string): void {
    this.statements().insert.run(this.clock.now(), lines.length, lines.join('\n'), status, reason);
  }

  list(limit: number, afterId = 0): DeadLetterSummary[] {
    return (this.statements().list.all(afterId, limit) as DeadLetterRow[]).map((r) => ({
      id: r.id,
      createdAt: r.created_at,
      lineCount: r.line_count,
      status: r.status,
      reason: r.reason,
      sample: r.lines.split('\n', 3),
    }));
  }

  get(id: number): DeadLetterRow | undefined {
    return this.statements().get.get(id) as DeadLetterRow | undefined;
  }

  delete(id: number): boolean {
    return this.statements().delete.run(id).changes > 0;
  }

  /**
   * Deletes the oldest dead letters until at most the bound's lines remain. Counted from the
   * table each time, not in memory: retention deletes dead letters too, and letters are rare.
   */
  trim(): void {
    if (!this.bound) return;
    const { maxLines, onDropped } = this.bound;
    const stmts = this.statements();
    const total = (stmts.lines.get() as { n: number }).n;
    if (total <= maxLines) return;
    let excess = total - maxLines;
    let lastId = 0;
    let dropped: DroppedDeadLetters | undefined;
    for (const row of stmts.oldest.iterate() as IterableIterator<DeadSize>) {
      if (excess <= 0) break;
      dropped ??= { letters: 0, lines: 0, oldestCreatedAt: row.created_at };
      dropped.letters += 1;
      dropped.lines += row.line_count;
      excess -= row.line_count;
      lastId = row.id;
    }
    stmts.drop.run(lastId);
    if (dropped) onDropped(dropped);
  }

  private statements(): NonNullable<InfluxDeadLetterStore['stmts']> {
    if (!this.stmts) throw new Error('InfluxDB dead letters used before the outbox was migrated');
    return this.stmts;
  }
}
