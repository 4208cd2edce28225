import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { sql, type Kysely } from 'kysely';
import type { Clock } from '#src/common/clock.js';
import type { OperationalDatabase } from '#src/storage/operational-database.js';
import type { SqliteDatabase } from '#src/storage/sqlite-database.js';
import type { DeadLetterSummary, DroppedDeadLetters } from './influx-dead-letter.store.js';
import { INFLUX_MIGRATION_SCOPE, INFLUX_OUTBOX_MIGRATIONS } from './influx-outbox.migrations.js';
import { InfluxOutbox, type DeadPart, type DroppedBatches } from './influx-outbox.js';
import { InfluxOutboxStore, type OutboxGroup, type OutboxStats } from './influx-outbox.store.js';
import type { InfluxOutboxTables } from './influx-outbox.tables.js';
import { PostgresInfluxDeadLetters } from './postgres-influx-dead-letters.js';
import { adoptSqliteOutbox } from './sqlite-outbox.adoption.js';

/** Rows that went, with whose they were. */
interface GoneRow {
  line_count: number;
  node: string;
}

/**
 * The outbox in PostgreSQL (`DATABASE_URL`): one queue every node appends its failed batches to,
 * which the holder of the `influx-outbox-replay` lease replays (ARCHITECTURE.md §5, §9), so the
 * lines of a node killed with a full outbox are sent by another.
 *
 * The depth is counted by {@link refresh} (the writer's tick, every second or so) and kept in
 * memory in between: this node's appends, settles and trims change it at once, the other nodes'
 * show at the next count. The row count of this writer (`node`, a random id per process) says
 * whether its new batches must queue behind rows of its own.
 *
 * Identities may commit out of order (a row with a smaller id committed after a larger one), so
 * a group names its rows by id, never by range: settling a group deletes only the rows it sent.
 */
export class PostgresInfluxOutbox extends InfluxOutbox {
  readonly shared = true;
  /** This process's name in the `node` column. */
  readonly node = randomUUID();
  private readonly logger = new Logger('InfluxTelemetryWriter');
  private opened = false;
  /** The node's SQLite outbox, where a batch goes while PostgreSQL refuses it (moved at the next refresh). */
  private fallback: InfluxOutboxStore | undefined;
  private spilled = false;
  private readonly db: Kysely<InfluxOutboxTables>;
  private readonly dead: PostgresInfluxDeadLetters;
  private current: OutboxStats = { batches: 0, lines: 0 };
  private own = 0;
  /** Appends started and finished (batches, lines), to count those a refresh may not have seen. */
  private readonly started = { batches: 0, lines: 0 };
  private readonly finished = { batches: 0, lines: 0 };
  /** The last append: appends run one after the other, so this node's rows keep its order. */
  private tail: Promise<unknown> = Promise.resolve();

  /** `sqlite`: the node's file, whose outbox rows from before PostgreSQL are moved here at open. */
  constructor(
    private readonly operational: OperationalDatabase,
    private readonly clock: Clock,
    private readonly sqlite?: SqliteDatabase,
  ) {
    super();
    this.db = operational.db.withTables<InfluxOutboxTables>();
    this.dead = new PostgresInfluxDeadLetters(this.db, clock);
    // Batches appended after the writer stopped (a request answered during shutdown) are stored before the pool closes.
    operational.flushBeforeClose(() => this.tail.then(() => undefined));
  }

  async open(): Promise<void> {
    await this.operational.migrate(INFLUX_MIGRATION_SCOPE, INFLUX_OUTBOX_MIGRATIONS);
    if (this.sqlite) {
      this.fallback = new InfluxOutboxStore(this.sqlite, this.clock);
      this.fallback.migrate();
      const moved = await adoptSqliteOutbox(this.sqlite, this.db);
      if (moved.influx_outbox + moved.influx_dead_letter > 0) {
        this.logger.warn(
          { batches: moved.influx_outbox, deadLetters: moved.influx_dead_letter },
          "InfluxDB outbox rows moved from this node's SQLite file to PostgreSQL",
        );
      }
    }
    this.opened = true;
    await this.refresh();
    // Letters kept from before, under a bound lowered since (set before the tables existed).
    await this.dead.trim();
  }

  stats(): OutboxStats {
    return this.current;
  }

  ownBatches(): number {
    return this.own;
  }

  /**
   * Counts the queue. Appends still running when the count started may be missing from it:
   * they are added, at the risk of counting one twice until the next refresh (a row counted
   * twice delays nothing but the writer's return to direct sends; one missed could reorder).
   */
  async refresh(): Promise<void> {
    if (this.spilled && this.sqlite) {
      this.spilled = false;
      try {
        await adoptSqliteOutbox(this.sqlite, this.db);
      } catch (error) {
        this.spilled = true;
        throw error;
      }
    }
    const done = { ...this.finished };
    const row = await sql<{ batches: number; lines: number; oldest: number | null; own: number }>`
      SELECT count(*)::int AS batches, COALESCE(sum(line_count), 0)::bigint AS lines,
             min(created_at) AS oldest, (count(*) FILTER (WHERE node = ${this.node}))::int AS own
      FROM influx_outbox`
      .execute(this.db)
      .then((r) => r.rows[0]);
    const batches = this.started.batches - done.batches;
    const lines = this.started.lines - done.lines;
    this.current = {
      batches: row.batches + batches,
      lines: row.lines + lines,
      oldestCreatedAt: row.oldest ?? (batches > 0 ? this.clock.now() : undefined),
    };
    this.own = row.own + batches;
  }

  async append(batches: readonly (readonly string[])[]): Promise<void> {
    const at = this.clock.now();
    const rows = batches
      .filter((b) => b.length > 0)
      .map((b) => ({ created_at: at, line_count: b.length, lines: b.join('\n'), node: this.node }));
    if (rows.length === 0) return;
    const lines = rows.reduce((n, r) => n + r.line_count, 0);
    // Counted before the INSERT: the batches sealed meanwhile already go behind these.
    this.started.batches += rows.length;
    this.started.lines += lines;
    this.grow(rows.length, lines, at);
    this.own += rows.length;
    const insert = this.tail.then(() => this.db.insertInto('influx_outbox').values(rows).execute());
    this.tail = insert.catch(() => undefined);
    try {
      await insert;
    } catch (error) {
      if (!this.fallback) {
        this.shrink(rows);
        throw error;
      }
      // PostgreSQL down: the batches wait in this node's file, still counted as this writer's
      // (its new batches keep queueing behind them), and move to PostgreSQL at the next refresh.
      for (const b of batches) this.fallback.append(b);
      this.spilled = true;
      this.logger.warn(
        { batches: rows.length, err: error },
        "InfluxDB outbox: PostgreSQL refused the batches, kept in this node's SQLite file",
      );
    } finally {
      this.finished.batches += rows.length;
      this.finished.lines += lines;
    }
  }

  async groups(maxLines: number, count: number, afterId = 0): Promise<OutboxGroup[]> {
    const groups: OutboxGroup[] = [];
    let after = afterId;
    while (groups.length < count) {
      // A group has at most maxLines rows (a row holds one line or more): sizes first, then lines.
      const sizes = await this.db
        .selectFrom('influx_outbox')
        .select(['id', 'line_count'])
        .where('id', '>', after)
        .orderBy('id')
        .limit(maxLines)
        .execute();
      const ids: number[] = [];
      let lineCount = 0;
      for (const r of sizes) {
        if (ids.length > 0 && lineCount + r.line_count > maxLines) break;
        ids.push(r.id);
        lineCount += r.line_count;
      }
      if (ids.length === 0) break;
      after = ids[ids.length - 1];
      const rows = await this.db
        .selectFrom('influx_outbox')
        .select(['id', 'line_count', 'lines'])
        .where('id', 'in', ids)
        .orderBy('id')
        .execute();
      // Rows settled or trimmed between the two reads are simply not in the group.
      if (rows.length === 0) continue;
      groups.push({
        firstId: rows[0].id,
        lastId: rows[rows.length - 1].id,
        ids: rows.map((r) => r.id),
        rows: rows.map((r) => r.lines.split('\n')),
        lineCount: rows.reduce((n, r) => n + r.line_count, 0),
      });
    }
    return groups;
  }

  /**
   * In one transaction, over the group's rows still there (locked: a node that lost the lease
   * mid-replay settles the same group after or before, never interleaved): refused parts become
   * dead letters, the lines to retry replace the first row, the other rows go. Every line taken
   * out of the queue was sent by this replay (written or refused), so a double replay only sends
   * twice, which InfluxDB absorbs (a point is keyed by its tags and timestamp).
   */
  async settle(
    group: OutboxGroup,
    retry: readonly string[],
    dead: readonly DeadPart[],
    error?: string,
  ): Promise<void> {
    const gone = await this.db.transaction().execute(async (trx) => {
      const rows = await trx
        .selectFrom('influx_outbox')
        .select(['id', 'line_count', 'node'])
        .where('id', 'in', group.ids)
        .orderBy('id')
        .forUpdate()
        .execute();
      await this.dead.insert(trx, dead);
      if (rows.length === 0) return { deleted: [], shortened: 0 };
      const keep = retry.length > 0 ? rows[0] : undefined;
      if (keep) {
        await trx
          .updateTable('influx_outbox')
          .set((eb) => ({
            lines: retry.join('\n'),
            line_count: retry.length,
            attempts: eb('attempts', '+', 1),
            last_error: error ?? null,
          }))
          .where('id', '=', keep.id)
          .execute();
      }
      const deleted = keep ? rows.slice(1) : rows;
      if (deleted.length > 0) {
        await trx
          .deleteFrom('influx_outbox')
          .where(
            'id',
            'in',
            deleted.map((r) => r.id),
          )
          .execute();
      }
      // The kept row stays, with the lines to retry only.
      return { deleted, shortened: keep ? keep.line_count - retry.length : 0 };
    });
    if (dead.length > 0) await this.dead.trim();
    this.shrink(gone.deleted, gone.shortened);
  }

  async deadLetter(lines: readonly string[], status: number, reason: string): Promise<void> {
    await this.dead.insert(this.db, [{ lines, status, reason }]);
    await this.dead.trim();
  }

  /**
   * Drops the oldest batches past `maxLines`, in one statement: a batch goes when the lines of it
   * and every newer batch pass the bound. The writer calls it on the lease holder only, so one
   * node drops and counts.
   */
  async trim(maxLines: number): Promise<DroppedBatches> {
    if (this.current.lines <= maxLines) return { batches: 0, lines: 0 };
    const { rows } = await sql<GoneRow & { created_at: number }>`
      DELETE FROM influx_outbox WHERE id IN (
        SELECT id FROM (
          SELECT id, sum(line_count) OVER (ORDER BY id DESC) AS newer FROM influx_outbox
        ) AS queue WHERE newer > ${maxLines})
      RETURNING line_count, created_at, node`.execute(this.db);
    this.shrink(rows);
    return {
      batches: rows.length,
      lines: rows.reduce((n, r) => n + r.line_count, 0),
      oldestCreatedAt: rows.length === 0 ? undefined : Math.min(...rows.map((r) => r.created_at)),
    };
  }

  boundDeadLetters(maxLines: number, onDropped: (dropped: DroppedDeadLetters) => void): void {
    this.dead.setBound(maxLines, onDropped);
    if (this.opened) {
      this.dead
        .trim()
        .catch((error: unknown) => this.logger.warn({ err: error }, 'InfluxDB dead letters not trimmed'));
    }
  }

  listDeadLetters(limit: number, afterId = 0): Promise<DeadLetterSummary[]> {
    return this.dead.list(limit, afterId);
  }

  countDeadLetters(): Promise<number> {
    return this.dead.count();
  }

  /** Moves the letter to the tail of the queue in one transaction, as nobody's row (`node` ''). */
  async requeueDeadLetter(id: number): Promise<{ lines: number } | undefined> {
    const moved = await this.db.transaction().execute(async (trx) => {
      const letter = await this.dead.take(trx, id);
      if (letter === undefined) return undefined;
      await trx
        .insertInto('influx_outbox')
        .values({
          created_at: this.clock.now(),
          line_count: letter.line_count,
          lines: letter.lines,
          node: '',
        })
        .execute();
      return { lines: letter.line_count };
    });
    if (moved) this.grow(1, moved.lines, this.clock.now());
    return moved;
  }

  deleteDeadLetter(id: number): Promise<boolean> {
    return this.dead.delete(id);
  }

  private grow(batches: number, lines: number, at: number): void {
    this.current = {
      batches: this.current.batches + batches,
      lines: this.current.lines + lines,
      oldestCreatedAt: this.current.oldestCreatedAt ?? at,
    };
  }

  /**
   * After rows left the queue (and `shortened` lines left a row that stays). Never below zero: a
   * row another node appended since the last refresh may be settled before it was counted. The
   * head's age waits for the next refresh.
   */
  private shrink(rows: readonly GoneRow[], shortened = 0): void {
    if (rows.length === 0 && shortened === 0) return;
    const batches = Math.max(0, this.current.batches - rows.length);
    const lines = Math.max(0, this.current.lines - shortened - rows.reduce((n, r) => n + r.line_count, 0));
    this.own = Math.max(0, this.own - rows.filter((r) => r.node === this.node).length);
    this.current = {
      batches,
      lines,
      oldestCreatedAt: batches === 0 ? undefined : this.current.oldestCreatedAt,
    };
  }
}
