import { Injectable, Logger } from '@nestjs/common';
import type { LogPosition } from '#src/contracts/log-position.js';
import { IngestionConsumer } from '#src/ingestion/ingestion.consumer.js';
import type { PartitionLeaseListener } from '#src/leases/partition-lease.listener.js';
import { InputLogReader, type LogTail } from '#src/log/input-log.port.js';
import type { LoggedEntry } from '#src/log/log-entry.js';
import { PartitionOwnership } from '#src/partitions/partition-ownership.js';
import { ContainerStates } from '#src/state/container-states.port.js';
import { PartitionFence } from '#src/storage/partition-fence.js';
import { StateCheckpoint } from '#src/storage/state-checkpoint.js';
import { TelemetryWriter } from '#src/telemetry/telemetry.ports.js';
import { DecidedEffects } from './decided-effects.js';

/**
 * A cluster processor's partitions, as their leases come and go (ARCHITECTURE.md §9): each owned
 * partition is read from the shared log, in its order, into the pipeline every node runs
 * (`IngestionConsumer` → `ReadingProcessor`), with the entry's log position, so that the
 * partition gate does not apply again what the restored state holds.
 *
 * - {@link acquired}: load the partitions' stored states (`ContainerStates.restore`) and their
 *   giver's positions (`StateCheckpoint.restorePositions`), own them, and read each from just
 *   past its checkpointed position (`StateCheckpoint.restoredPosition`).
 * - {@link releasing}: stop reading and owning them, store what was read, write the state
 *   (a checkpoint), then let the log forget what that covers, and drop their states from memory
 *   (`ContainerStates.release`): taken back later, they are restored as their next owner left them.
 * - {@link lost}: stop at once and drop their states; nothing is written for them (another
 *   processor may own them). A write of theirs fenced (`PartitionFence`) is a loss too.
 *
 * {@link settle} runs the same store-checkpoint-forget step for every owned partition; the
 * intake calls it every checkpoint period.
 */
@Injectable()
export class LogPartitionsProcessor implements PartitionLeaseListener {
  private readonly logger = new Logger('Processor');
  private readonly tails = new Map<number, LogTail>();
  /** Per partition read here, the position of the last entry handed to the pipeline. */
  private readonly delivered = new Map<number, LogPosition>();
  /** Per partition, the position up to which the log was told to forget. */
  private readonly forgotten = new Map<number, LogPosition>();
  /** The position up to which the log was told to forget every partition. */
  private forgottenAll: LogPosition = 0;
  /** Counts the changes of the partitions owned: a settle forgets all only if none came between. */
  private ownershipChanges = 0;

  constructor(
    private readonly reader: InputLogReader,
    private readonly consumer: IngestionConsumer,
    private readonly ownership: PartitionOwnership,
    private readonly states: ContainerStates,
    private readonly checkpoint: StateCheckpoint,
    private readonly writer: TelemetryWriter,
    private readonly fence: PartitionFence,
    private readonly effects: DecidedEffects,
  ) {
    // `handle` applies an entry before it returns: what `delivered` says is in the state.
    checkpoint.usePartitionPositions(() => this.delivered);
    // Every checkpoint, the checkpoint's own timer's as well as a settle's, first stores the
    // readings handed to the writer: a partition's new owner reads the log only past the stored
    // position, so a position stored ahead of its readings would lose them with this process.
    checkpoint.register({ writeBehind: () => this.writer.flush() }, true);
  }

  async acquired(partitions: number[], epochs: ReadonlyMap<number, number>): Promise<void> {
    this.ownershipChanges++;
    // Before anything of them is written: every write of theirs from now on carries these.
    this.fence.hold(epochs);
    try {
      // What the giver checkpointed: its states and, per partition, the position they reflect.
      // And the alerts it stored: its rules' states go on with them (`DecidedEffects.takeOver`).
      await Promise.all([
        this.states.restore(partitions),
        this.checkpoint.restorePositions(partitions),
        this.effects.takeOver(partitions, this.ownership.partitions),
      ]);
      this.ownership.take(partitions);
      for (const p of partitions) {
        const from = Math.max(this.checkpoint.restoredPosition(p), this.forgotten.get(p) ?? 0);
        this.delivered.set(p, from);
        this.tails.set(p, await this.reader.read(new Map([[p, from]]), (entry) => this.handle(entry)));
      }
    } catch (err) {
      // The leases release them again: nothing is applied past what is read.
      await this.stopReading(partitions);
      this.ownership.give(partitions);
      for (const p of partitions) this.delivered.delete(p);
      this.fence.drop(partitions);
      throw err;
    }
    this.logger.log({ partitions: partitions.length }, `Reading partitions ${partitions.join(',')}`);
  }

  async releasing(partitions: number[]): Promise<void> {
    this.ownershipChanges++;
    await this.stopReading(partitions);
    this.ownership.give(partitions);
    await this.settle(partitions);
    for (const p of partitions) this.delivered.delete(p);
    this.fence.drop(partitions);
    // Their next owner changes them: taken back later, they are restored as it stored them.
    this.states.release(partitions);
  }

  lost(partitions: number[]): void {
    this.ownershipChanges++;
    this.fence.drop(partitions);
    this.ownership.give(partitions);
    for (const p of partitions) this.delivered.delete(p);
    this.states.release(partitions);
    this.stopReading(partitions).catch((err: unknown) =>
      this.logger.warn({ err }, 'Stopping the reads of lost partitions failed'),
    );
  }

  /** Stops every read (shutdown, before the leases are handed off). */
  stopAll(): Promise<void> {
    return this.stopReading([...this.tails.keys()]);
  }

  /**
   * Stores what was read of `partitions` (every one read here by default) and writes the state
   * with each partition's position (a checkpoint, in PostgreSQL, which flushes the writer
   * first), then lets the log forget what
   * both cover: a new owner restores them and replays only what follows. A processor that owns
   * and reads every partition, with no change of them during the settle, forgets the whole log up
   * to where all its reads have come ({@link InputLogReader.forgetAll}), and each partition only
   * past that.
   */
  async settle(partitions: readonly number[] = [...this.delivered.keys()]): Promise<void> {
    const changes = this.ownershipChanges;
    const readThrough = this.readsEverything(partitions) ? await this.readThrough() : 0;
    const covered = partitions.map((p) => [p, this.delivered.get(p) ?? 0] as const);
    // A failed checkpoint (logged) vouches for nothing: the log keeps it for a new owner.
    if (!(await this.checkpoint.checkpoint())) return;
    // Lost or taken in between, a partition's checkpoint may not cover its reads up to there.
    if (readThrough > this.forgottenAll && changes === this.ownershipChanges && this.ownership.ownsAll) {
      await this.reader.forgetAll(readThrough);
      this.forgottenAll = readThrough;
    }
    // A partition lost (its session, or a write fenced) during the settle may have a new owner
    // that replays from an older checkpoint than these reads: the log keeps it all this time.
    if (changes !== this.ownershipChanges) return;
    for (const [p, position] of covered) {
      if (position <= Math.max(this.forgotten.get(p) ?? 0, this.forgottenAll)) continue;
      await this.reader.forget(p, position);
      this.forgotten.set(p, position);
    }
  }

  /** Whether `partitions` are every partition, each owned and read here. */
  private readsEverything(partitions: readonly number[]): boolean {
    return (
      this.ownership.ownsAll &&
      partitions.length === this.ownership.partitions &&
      partitions.every((p) => this.tails.has(p))
    );
  }

  /** Where every read here has come: the least of the reads' positions. */
  private async readThrough(): Promise<LogPosition> {
    const positions = await Promise.all([...this.tails.values()].map((t) => t.readThrough()));
    return Math.min(...positions);
  }

  private handle(entry: LoggedEntry): void {
    this.delivered.set(entry.partition, entry.position);
    this.consumer.consume(entry.topic, entry.payload, entry.position);
  }

  private async stopReading(partitions: readonly number[]): Promise<void> {
    const tails = partitions.map((p) => this.tails.get(p)).filter((t) => t !== undefined);
    for (const p of partitions) this.tails.delete(p);
    await Promise.all(tails.map((t) => t.stop()));
  }
}
