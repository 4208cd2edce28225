import { BeforeApplicationShutdown, Injectable, Logger, OnModuleInit, Optional } from '@nestjs/common';
import type { Histogram } from 'prom-client';
import { Clock } from '#src/common/clock.js';
import { Metrics } from '#src/common/metrics.js';
import { PartitionOwnership } from '#src/partitions/partition-ownership.js';
import type { LogPosition } from '#src/contracts/log-position.js';
import {
  INBOX_LOG,
  STREAM_LOG,
  type CheckpointPositions,
  type PartitionPosition,
  type StoredPositions,
} from './checkpoint-positions.js';
import { OperationalDatabase } from './operational-database.js';
import { PartitionFence } from './partition-fence.js';
import { PostgresCheckpointPositions } from './postgres-checkpoint-positions.js';
import { SqliteCheckpointPositions } from './sqlite-checkpoint-positions.js';
import { SqliteDatabase } from './sqlite-database.js';
import { StateCheckpointConfig } from './state-checkpoint.config.js';
import type { StoreDialect } from './store-migration.js';

/** How often the in-memory state is checkpointed on SQLite, ms: what a crash replays at most, about. */
export const CHECKPOINT_EVERY_MS = 5000;

/**
 * On PostgreSQL: a checkpoint of a fleet whose every page changed is most of the shared server's
 * work (~36 µs per reading at 10,000/s every 5 s; PERFORMANCE.md), so it runs 6 times less often,
 * and a crash or a takeover replays up to 30 s of the log instead.
 */
const POSTGRES_CHECKPOINT_EVERY_MS = 30_000;

/** The interval between checkpoints: `STATE_CHECKPOINT_MS`, or the store's default. */
export function checkpointEveryMs(dialect: StoreDialect, setting?: number): number {
  return setting ?? (dialect === 'postgres' ? POSTGRES_CHECKPOINT_EVERY_MS : CHECKPOINT_EVERY_MS);
}

/** A store of in-memory state that is written behind: it takes part in every checkpoint. */
export interface CheckpointParticipant {
  /** Writes what changed since its last write (in slices, with pauses); resolves once written. */
  writeBehind(): Promise<void>;
}

/**
 * Per partition whose state a cluster processor holds (owned, or being released; never one lost),
 * the position of the last entry of it applied to the state: the same map, read live.
 */
export type AppliedPartitions = () => ReadonlyMap<number, LogPosition>;

/**
 * The checkpoint of the state kept in memory (rule, live state), at a known position of the
 * input log (ARCHITECTURE.md §2, §5). The transport reports the log position whose messages are
 * applied to memory ({@link applied}); every {@link everyMs} ms the position reached
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
 * In cluster mode (ARCHITECTURE.md §9) the partitions are read apart from one stream, each at its
 * own position, and taken and given at run time: the processor says which it holds and how far
 * each is applied ({@link usePartitionPositions}), and a checkpoint stores those positions under
 * the stream's name ({@link STREAM_LOG}) instead of the inbox's one position.
 *
 * Stores register here rather than being listed: they live in features above storage. The
 * positions are where the state is: the SQLite file, or PostgreSQL when it is the operational
 * store (`DATABASE_URL`), where a checkpoint that fails (PostgreSQL away) stores no position,
 * and the next one, 5 s later, writes the state again first.
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
  private running?: Promise<boolean>;
  private timer?: NodeJS.Timeout;
  private readonly positions: CheckpointPositions;
  /** The partitions whose positions each checkpoint stores: those owned at start. */
  private owned: readonly number[] = [];
  /** Per partition, the position its restored state reflects (the last run's checkpoint). */
  private restored = new Float64Array(0);
  /** Highest position a message may have and still be a replay of what the state holds. */
  private horizon = 0;
  /** A lowering of the stored positions under way (PostgreSQL). */
  private lowering: Promise<void> = Promise.resolve();
  /** Cluster mode: the partitions held and how far each is applied (the inbox's position unused). */
  private appliedPartitions?: AppliedPartitions;
  /** Milliseconds between checkpoints ({@link checkpointEveryMs}). */
  readonly everyMs: number;
  /** Each checkpoint's duration: the bench warms up past the first and counts them per window. */
  private readonly seconds?: Histogram;

  constructor(
    sqlite: SqliteDatabase,
    private readonly clock: Clock,
    // One partition by default: the participants' own specs build a checkpoint by hand.
    private readonly ownership: PartitionOwnership = PartitionOwnership.all(1),
    // Absent or SQLite: the positions are in the SQLite file (the specs build it so).
    @Optional() operational?: OperationalDatabase,
    @Optional() config?: StateCheckpointConfig,
    @Optional() metrics?: Metrics,
    // Absent: nothing fenced (one node; the specs).
    @Optional() fence: PartitionFence = new PartitionFence(),
  ) {
    this.seconds = metrics?.histogram(
      'convoi_state_checkpoint_seconds',
      'Time to write a state checkpoint (every participant, then the positions)',
      [0.1, 0.5, 1, 2, 5, 10, 30],
    );
    this.everyMs = checkpointEveryMs(operational?.dialect ?? 'sqlite', config?.STATE_CHECKPOINT_MS);
    this.positions =
      operational?.dialect === 'postgres'
        ? new PostgresCheckpointPositions(operational, fence)
        : new SqliteCheckpointPositions(sqlite);
  }

  /** On SQLite the positions are read before it returns (the specs rely on it); on PostgreSQL when it resolves. */
  onModuleInit(): Promise<void> {
    const stored = this.positions.open(this.ownership.partitions, this.clock.now());
    if (stored instanceof Promise) return stored.then((positions) => this.start(positions));
    this.start(stored);
    return Promise.resolve();
  }

  private start(stored: StoredPositions): void {
    this.owned = this.ownership.owned();
    // Not where this run's positions start: an inbox emptied by hand numbers from 1 again, and
    // its positions must still be checkpointed and forgotten.
    this.stored = stored.wholeLog;
    this.restore(stored);
    this.timer = setInterval(() => void this.checkpoint(), this.everyMs);
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
   * Reads again the stored positions of `partitions` (a takeover: their giver checkpointed them
   * after this process started), for {@link restoredPosition} and {@link replayHorizon}; call it
   * with `ContainerStates.restore` of the same partitions, before taking them.
   */
  async restorePositions(partitions: readonly number[]): Promise<void> {
    const log = this.appliedPartitions === undefined ? INBOX_LOG : STREAM_LOG;
    const stored = await this.positions.read(partitions, log);
    for (const p of partitions) this.restored[p] = stored.wholeLog;
    for (const { partition, position } of stored.partitions)
      if (partitions.includes(partition) && position > this.restored[partition])
        this.restored[partition] = position;
    for (const p of partitions) this.horizon = Math.max(this.horizon, this.restored[p]);
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
    if (!this.positions.isOpen) return;
    const lowered = this.positions.lower(before);
    // PostgreSQL: lowered before the next checkpoint writes (checkpoints wait for it).
    if (lowered !== undefined) this.after(lowered, 'Lowering the checkpointed positions failed');
    if (this.stored > before) this.stored = before;
  }

  /**
   * `first`: it runs before the others, the state stores: what it writes (the effects decided
   * from the state, ARCHITECTURE.md §9) must be stored before any state that explains it.
   */
  register(participant: CheckpointParticipant, first = false): void {
    if (first) this.participants.unshift(participant);
    else this.participants.push(participant);
  }

  /**
   * Cluster mode: each checkpoint stores, for every partition `applied` holds at its start and
   * still at its end, the position it held at the start (what the participants' writes cover).
   */
  usePartitionPositions(applied: AppliedPartitions): void {
    this.appliedPartitions = applied;
  }

  /** Called with each new checkpointed position, in order. */
  onCheckpointed(listener: (position: number) => void): void {
    this.listeners.push(listener);
  }

  /** The messages of the log up to `position` are applied to the state in memory. */
  applied(position: number): void {
    if (position > this.appliedPosition) this.appliedPosition = position;
  }

  /**
   * Runs a checkpoint (one at a time: a call during one waits for it, then runs its own).
   * Resolves false when it failed (logged): nothing it would vouch for may be forgotten.
   */
  async checkpoint(): Promise<boolean> {
    while (this.running) await this.running;
    const applied = this.appliedPartitions;
    const stopTimer = this.seconds?.startTimer();
    const running = (applied === undefined ? this.write() : this.writePartitions(applied)).finally(() =>
      stopTimer?.(),
    );
    this.running = running.finally(() => (this.running = undefined));
    return running;
  }

  /**
   * At shutdown the stores write everything in their own hooks; this records the position their
   * writes reflect, so the next start replays nothing. It waits for a checkpoint in flight.
   */
  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.checkpoint();
  }

  private async write(): Promise<boolean> {
    const position = this.appliedPosition;
    try {
      for (const participant of this.participants) await participant.writeBehind();
      if (position <= this.checkpointed || !this.positions.isOpen) return true;
      await this.lowering;
      await this.positions.save(position, this.clock.now(), this.owned, this.ownership.ownsAll);
      this.checkpointed = this.stored = position;
    } catch (err) {
      this.logger.error({ position, err }, 'State checkpoint failed: the inbox keeps what it would replay');
      return false;
    }
    for (const listener of this.listeners) listener(position);
    return true;
  }

  /**
   * Cluster mode: the positions are taken before the participants write (their writes reflect at
   * least that much), and stored only for partitions still held after (a lost one's new owner
   * stores its own).
   */
  private async writePartitions(applied: AppliedPartitions): Promise<boolean> {
    const taken: PartitionPosition[] = [...applied()];
    try {
      for (const participant of this.participants) await participant.writeBehind();
      const held = applied();
      const entries = taken.filter(([p]) => held.has(p));
      if (entries.length === 0 || !this.positions.isOpen) return true;
      await this.positions.savePartitions(entries, this.clock.now());
    } catch (err) {
      this.logger.error({ err }, 'State checkpoint failed: the log keeps what it would replay');
      return false;
    }
    return true;
  }

  /** Restores each partition's position: the whole log's, or its own where that is further. */
  private restore(stored: StoredPositions): void {
    this.restored = new Float64Array(this.ownership.partitions).fill(stored.wholeLog);
    for (const { partition, position } of stored.partitions)
      if (partition < this.restored.length && position > this.restored[partition])
        this.restored[partition] = position;
    this.horizon = 0;
    for (const p of this.ownership.owned()) this.horizon = Math.max(this.horizon, this.restored[p]);
  }

  /** Keeps a write started outside a checkpoint for the next checkpoint to wait on; logs its failure. */
  private after(write: Promise<void>, failure: string): void {
    this.lowering = write.catch((err: unknown) => this.logger.error({ err }, failure));
  }
}
