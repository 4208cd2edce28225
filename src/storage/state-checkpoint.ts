import { BeforeApplicationShutdown, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { Statement, Transaction } from 'better-sqlite3';
import { Clock } from '#src/common/clock.js';
import { PartitionOwnership } from '#src/partitions/partition-ownership.js';
import { guardPartitionCount } from './partition-count.guard.js';
import { SqliteDatabase } from './sqlite-database.js';
import { STATE_CHECKPOINT_MIGRATIONS } from './state-checkpoint.migrations.js';

/** How often the in-memory state is checkpointed, ms: what a crash replays at most, about. */
export const CHECKPOINT_EVERY_MS = 5000;
/** The input log whose positions a checkpoint records (a JetStream stream would be another). */
const INBOX_LOG = 'inbox';

/** A store of in-memory state that is written behind: it takes part in every checkpoint. */
export interface CheckpointParticipant {
  /** Writes what changed since its last write (in slices, with pauses); resolves once written. */
  writeBehind(): Promise<void>;
}

/**
 * The checkpoint of the state kept in memory (rule, live state), at a known position of the
 * input log (ARCHITECTURE.md §2, §5). The transport reports the log position whose messages are
 * applied to memory ({@link applied}); every {@link CHECKPOINT_EVERY_MS} ms the position reached
 * is taken, every participant writes what changed, and the position is stored after them
 * (`state_checkpoint`), then handed to {@link onCheckpointed} (the inbox, which may then forget
 * what precedes it). After a crash, the log replays everything past it into the state: the state
 * written may reflect more than its position (writes between slices, alerts written at once),
 * which the replay absorbs, since rules, journeys and live state ignore a reading not newer than
 * the one they hold. The position is written after the rows it vouches for, so a crash between
 * the two only replays more.
 *
 * Positions are kept per partition too (`partition_checkpoint`): the position up to which each
 * partition this processor owns ({@link PartitionOwnership}) is reflected in the state. The
 * processor consumes its partitions in one log order, so a checkpoint records the position it
 * took for each of them; the whole-log row (`state_checkpoint`) says up to where everything is
 * applied, for the inbox to forget. At start the positions are restored
 * ({@link restoredPosition}): a replayed reading at or below its partition's position is stored
 * again (idempotently) but not applied to the state a second time. This is the seam a shared log
 * plugs into (ARCHITECTURE.md §9): a new owner of a partition restores its state and replays the
 * log from the partition's position.
 *
 * Stores register here rather than being listed: they live in features above storage.
 */
@Injectable()
export class StateCheckpoint implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger(StateCheckpoint.name);
  private readonly participants: CheckpointParticipant[] = [];
  private readonly listeners: ((position: number) => void)[] = [];
  private appliedPosition = 0;
  /** Highest position checkpointed by this process (the log may have started its ids again). */
  private checkpointed = 0;
  /** The position stored last, by this process or (at start) the last one. */
  private stored = 0;
  private running?: Promise<void>;
  private timer?: NodeJS.Timeout;
  private save!: Transaction<(position: number, at: number) => void>;
  /** Per partition, the position its restored state reflects (the last run's checkpoint). */
  private restored = new Float64Array(0);
  /** Highest position a message may have and still be a replay of what the state holds. */
  private horizon = 0;

  constructor(
    private readonly sqlite: SqliteDatabase,
    private readonly clock: Clock,
    // One partition by default: the participants' own specs build a checkpoint by hand.
    private readonly ownership: PartitionOwnership = PartitionOwnership.all(1),
  ) {}

  onModuleInit(): void {
    this.sqlite.migrate('checkpoint', STATE_CHECKPOINT_MIGRATIONS);
    const db = this.sqlite.connection;
    guardPartitionCount(db, this.ownership.partitions, this.clock.now());
    this.save = this.saveStatement();
    const row = db
      .prepare<[string], { position: number }>('SELECT position FROM state_checkpoint WHERE log = ?')
      .get(INBOX_LOG);
    // Not where this run's positions start: an inbox emptied by hand numbers from 1 again, and
    // its positions must still be checkpointed and forgotten.
    this.stored = row?.position ?? 0;
    this.restore(this.stored);
    this.timer = setInterval(() => void this.checkpoint(), CHECKPOINT_EVERY_MS);
    this.timer.unref();
  }

  /** The position the stored state reflects (at start: the last run's), for logs and tests. */
  position(): number {
    return this.stored;
  }

  /**
   * The position up to which `partition`'s readings are reflected in the state restored at start:
   * a replayed reading at or below it is not applied again. At least the whole-log position, so a
   * checkpoint of a version without partitions still holds.
   */
  restoredPosition(partition: number): number {
    return this.restored[partition];
  }

  /**
   * The highest position a replayed message may have and be held already by the restored state
   * of a partition this processor owns; above it, nothing is a replay (0: nothing is). One
   * comparison per message against it keeps the per-partition check off the hot path.
   */
  replayHorizon(): number {
    return this.horizon;
  }

  /**
   * The log handed over the first message this process received, at `position`: from there on
   * nothing is a replay, whatever the checkpoint says (an inbox emptied by hand numbers its
   * messages from 1 again, below the last run's positions). The stored positions above it are
   * lowered at once: they count in a numbering the log left, and a crash before the next
   * checkpoint must not take these messages for a replay either.
   */
  newMessagesFrom(position: number): void {
    const before = Math.max(0, position - 1);
    if (before >= this.horizon) return;
    this.horizon = before;
    if (!this.sqlite.connection.open) return;
    this.lower(before);
    if (this.stored > before) this.stored = before;
  }

  register(participant: CheckpointParticipant): void {
    this.participants.push(participant);
  }

  /** Called with each new checkpointed position, in order. */
  onCheckpointed(listener: (position: number) => void): void {
    this.listeners.push(listener);
  }

  /** The messages of the log up to `position` are applied to the state in memory. */
  applied(position: number): void {
    if (position > this.appliedPosition) this.appliedPosition = position;
  }

  /** Runs a checkpoint (one at a time: a call during one waits for it, then runs its own). */
  async checkpoint(): Promise<void> {
    while (this.running) await this.running;
    this.running = this.write().finally(() => (this.running = undefined));
    return this.running;
  }

  /**
   * At shutdown the stores write everything in their own hooks; this records the position their
   * writes reflect, so the next start replays nothing. It waits for a checkpoint in flight.
   */
  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.checkpoint();
  }

  private async write(): Promise<void> {
    const position = this.appliedPosition;
    try {
      for (const participant of this.participants) await participant.writeBehind();
      if (position <= this.checkpointed || !this.sqlite.connection.open) return;
      this.save(position, this.clock.now());
      this.checkpointed = this.stored = position;
    } catch (err) {
      this.logger.error({ position, err }, 'State checkpoint failed: the inbox keeps what it would replay');
      return;
    }
    for (const listener of this.listeners) listener(position);
  }

  /** Lowers every stored position of the log above `position` to it. */
  private lower(position: number): void {
    const db = this.sqlite.connection;
    db.transaction(() => {
      for (const table of ['state_checkpoint', 'partition_checkpoint'])
        db.prepare(`UPDATE ${table} SET position = ? WHERE log = ? AND position > ?`).run(
          position,
          INBOX_LOG,
          position,
        );
    })();
  }

  /** Restores each partition's position: the whole log's, or its own where that is further. */
  private restore(wholeLog: number): void {
    this.restored = new Float64Array(this.ownership.partitions).fill(wholeLog);
    const rows = this.sqlite.connection
      .prepare<[string], { partition: number; position: number }>(
        'SELECT partition, position FROM partition_checkpoint WHERE log = ?',
      )
      .all(INBOX_LOG);
    for (const { partition, position } of rows)
      if (partition < this.restored.length && position > this.restored[partition])
        this.restored[partition] = position;
    this.horizon = 0;
    for (const p of this.ownership.owned()) this.horizon = Math.max(this.horizon, this.restored[p]);
  }

  /**
   * Stores a position in one transaction: for each partition this processor owns (it consumes
   * them all in that one log order), and, when it owns them all, for the whole log (for the
   * inbox to forget). A partition it does not own keeps the position its owner wrote.
   */
  private saveStatement(): Transaction<(position: number, at: number) => void> {
    const db = this.sqlite.connection;
    const wholeLog: Statement = db.prepare(
      `INSERT INTO state_checkpoint (log, position, written_at) VALUES (?, ?, ?)
       ON CONFLICT(log) DO UPDATE SET position = excluded.position, written_at = excluded.written_at`,
    );
    // One statement for all the partitions: a row each, from the list of the owned ones, without
    // a call from JavaScript per row (4,096 calls held the event loop ~30 ms at each checkpoint).
    const partitions: Statement = db.prepare(
      `INSERT INTO partition_checkpoint (log, partition, position, written_at)
       SELECT ?, value, ?, ? FROM json_each(?) WHERE true
       ON CONFLICT(log, partition) DO UPDATE SET position = excluded.position, written_at = excluded.written_at`,
    );
    const owned = JSON.stringify(this.ownership.owned());
    return db.transaction((position: number, at: number) => {
      if (this.ownership.ownsAll) wholeLog.run(INBOX_LOG, position, at);
      partitions.run(INBOX_LOG, position, at, owned);
    });
  }
}
