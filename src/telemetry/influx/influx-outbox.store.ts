import type { Database, Statement } from 'better-sqlite3';
import type { Clock } from '#src/common/clock.js';
import { sqliteMigrations } from '#src/storage/store-migration.js';
import type { SqliteDatabase } from '#src/storage/sqlite-database.js';
import {
  InfluxDeadLetterStore,
  type DeadLetterSummary,
  type DroppedDeadLetters,
} from './influx-dead-letter.store.js';
import { INFLUX_MIGRATION_SCOPE, INFLUX_OUTBOX_MIGRATIONS } from './influx-outbox.migrations.js';

/**
 * Consecutive outbox rows replayed as one request. Rows are kept apart (`rows`) because a row is
 * one batch as the writer sealed it: a refused line dead-letters its own row, not its neighbours.
 */
export interface OutboxGroup {
  /** Id of the first row, where lines still to retry stay (the head of the queue). */
  firstId: number;
  lastId: number;
  /** Every row's id, in order (on PostgreSQL an id may commit after a larger one: no ranges there). */
  ids: number[];
  rows: string[][];
  lineCount: number;
}

export interface OutboxStats {
  batches: number;
  lines: number;
  /** created_at of the oldest batch, epoch ms; undefined when empty. */
  oldestCreatedAt?: number;
}

interface OutboxRow {
  id: number;
  created_at: number;
  line_count: number;
  lines: string;
  attempts: number;
}

type RowText = Pick<OutboxRow, 'id' | 'line_count' | 'lines'>;

/**
 * The durable side of the InfluxDB writer in the node's SQLite file (without `DATABASE_URL`): batches waiting to be (re)sent, oldest
 * first, and (through {@link InfluxDeadLetterStore}) batches InfluxDB refused for good. Line protocol is stored as written, joined by
 * newlines (a line never holds one). Depth (rows, lines, age of the head) is counted once at
 * start and then kept in memory by every change: a COUNT/SUM over thousands of rows after each
 * replayed request cost more than the replay itself.
 */
export class InfluxOutboxStore {
  private db: Database;
  private stmts: Record<'insert' | 'from' | 'size' | 'head' | 'deleteRange' | 'replace', Statement>;
  private current: OutboxStats = { batches: 0, lines: 0 };
  private readonly dead: InfluxDeadLetterStore;

  constructor(
    private readonly sqlite: SqliteDatabase,
    private readonly clock: Clock,
  ) {
    this.dead = new InfluxDeadLetterStore(clock);
  }

  migrate(): void {
    this.sqlite.migrate(INFLUX_MIGRATION_SCOPE, sqliteMigrations(INFLUX_OUTBOX_MIGRATIONS));
    this.db = this.sqlite.connection;
    const p = (sql: string): Statement => this.db.prepare(sql);
    this.stmts = {
      insert: p('INSERT INTO influx_outbox (created_at, line_count, lines) VALUES (?, ?, ?)'),
      from: p('SELECT id, line_count, lines FROM influx_outbox WHERE id > ? ORDER BY id'),
      size: p(
        'SELECT COUNT(*) AS rows, COALESCE(SUM(line_count), 0) AS lines, MIN(id) AS first FROM influx_outbox WHERE id BETWEEN ? AND ?',
      ),
      head: p('SELECT created_at FROM influx_outbox ORDER BY id LIMIT 1'),
      deleteRange: p('DELETE FROM influx_outbox WHERE id BETWEEN ? AND ?'),
      replace: p(
        'UPDATE influx_outbox SET lines = ?, line_count = ?, attempts = attempts + 1, last_error = ? WHERE id = ?',
      ),
    };
    this.recount();
    this.dead.open(this.db);
  }

  /** See {@link InfluxDeadLetterStore.setBound}. */
  boundDeadLetters(maxLines: number, onDropped: (dropped: DroppedDeadLetters) => void): void {
    this.dead.setBound(maxLines, onDropped);
  }

  stats(): OutboxStats {
    return this.current;
  }

  append(lines: readonly string[]): void {
    if (lines.length === 0) return;
    this.stmts.insert.run(this.clock.now(), lines.length, lines.join('\n'));
    this.grow(lines.length);
  }

  /**
   * Up to `count` groups of consecutive rows from the head (or from the first row after `afterId`:
   * behind groups already in flight), each of at most `maxLines` lines (a larger row makes a group
   * of its own), in queue order. Rows are read lazily: only what the groups need.
   */
  groups(maxLines: number, count: number, afterId = 0): OutboxGroup[] {
    const groups: OutboxGroup[] = [];
    let group: OutboxGroup | undefined;
    for (const row of this.stmts.from.iterate(afterId) as IterableIterator<RowText>) {
      if (group && group.lineCount + row.line_count > maxLines) {
        groups.push(group);
        group = undefined;
        if (groups.length === count) break;
      }
      group ??= { firstId: row.id, lastId: row.id, ids: [], rows: [], lineCount: 0 };
      group.ids.push(row.id);
      group.rows.push(row.lines.split('\n'));
      group.lineCount += row.line_count;
      group.lastId = row.id;
    }
    if (group && groups.length < count) groups.push(group);
    return groups;
  }

  /**
   * Settles a replayed group in one transaction: refused parts become dead letters, lines still
   * to retry take the place of the group's first row (the queue keeps its order), the other rows
   * are deleted. When the bound trimmed the group's first rows while it was in flight, the
   * lines to retry go to its first surviving row; a group trimmed whole stays gone.
   */
  settle(
    group: Pick<OutboxGroup, 'firstId' | 'lastId'>,
    retry: readonly string[],
    dead: readonly { lines: readonly string[]; status: number; reason: string }[],
    error?: string,
  ): void {
    const removed = this.db.transaction(() => {
      const size = this.stmts.size.get(group.firstId, group.lastId) as {
        rows: number;
        lines: number;
        first: number | null;
      };
      for (const d of dead) this.dead.insert(d.lines, d.status, d.reason);
      if (size.first === null) return { rows: 0, lines: 0 };
      const keep = retry.length > 0;
      if (keep) this.stmts.replace.run(retry.join('\n'), retry.length, error ?? null, size.first);
      this.stmts.deleteRange.run(keep ? size.first + 1 : size.first, group.lastId);
      return { rows: size.rows - (keep ? 1 : 0), lines: size.lines - (keep ? retry.length : 0) };
    })();
    if (dead.length > 0) this.dead.trim();
    this.shrink(removed.rows, removed.lines);
  }

  deadLetter(lines: readonly string[], status: number, reason: string): void {
    this.dead.insert(lines, status, reason);
    this.dead.trim();
  }

  /** Deletes the oldest batches until at most `maxLines` lines remain; returns what was dropped. */
  trim(maxLines: number): { batches: number; lines: number; oldestCreatedAt?: number } {
    if (this.current.lines <= maxLines) return { batches: 0, lines: 0 };
    const rows = this.db
      .prepare<[], Pick<OutboxRow, 'id' | 'line_count' | 'created_at'>>(
        'SELECT id, line_count, created_at FROM influx_outbox ORDER BY id',
      )
      .iterate();
    let excess = this.current.lines - maxLines;
    let lastId = 0;
    const dropped = { batches: 0, lines: 0, oldestCreatedAt: undefined as number | undefined };
    for (const row of rows) {
      if (excess <= 0) break;
      dropped.oldestCreatedAt ??= row.created_at;
      dropped.batches += 1;
      dropped.lines += row.line_count;
      excess -= row.line_count;
      lastId = row.id;
    }
    this.db.prepare('DELETE FROM influx_outbox WHERE id <= ?').run(lastId);
    this.shrink(dropped.batches, dropped.lines);
    return dropped;
  }

  listDeadLetters(limit: number, afterId = 0): DeadLetterSummary[] {
    return this.dead.list(limit, afterId);
  }

  countDeadLetters(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM influx_dead_letter').get() as { n: number }).n;
  }

  /** Moves a dead letter back to the end of the outbox; undefined when there is no such id. */
  requeueDeadLetter(id: number): { lines: number } | undefined {
    const moved = this.db.transaction(() => {
      const row = this.dead.get(id);
      if (!row) return undefined;
      this.stmts.insert.run(this.clock.now(), row.line_count, row.lines);
      this.dead.delete(id);
      return { lines: row.line_count };
    })();
    if (moved) this.grow(moved.lines);
    return moved;
  }

  deleteDeadLetter(id: number): boolean {
    return this.dead.delete(id);
  }

  private grow(lines: number): void {
    this.current = {
      batches: this.current.batches + 1,
      lines: this.current.lines + lines,
      oldestCreatedAt: this.current.oldestCreatedAt ?? this.clock.now(),
    };
  }

  /** After rows left the queue: the head may have changed, read its age by primary key. */
  private shrink(rows: number, lines: number): void {
    if (rows === 0 && lines === 0) return;
    const batches = this.current.batches - rows;
    const head = batches > 0 ? (this.stmts.head.get() as { created_at: number } | undefined) : undefined;
    this.current = { batches, lines: this.current.lines - lines, oldestCreatedAt: head?.created_at };
  }

  /** The one full scan, at start. */
  private recount(): void {
    const row = this.db
      .prepare(
        'SELECT COUNT(*) AS batches, COALESCE(SUM(line_count), 0) AS lines, MIN(created_at) AS oldest FROM influx_outbox',
      )
      .get() as { batches: number; lines: number; oldest: number | null };
    this.current = { batches: row.batches, lines: row.lines, oldestCreatedAt: row.oldest ?? undefined };
  }
}
