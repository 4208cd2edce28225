import { Injectable, Logger, Optional } from '@nestjs/common';
import { sql, type RawBuilder } from 'kysely';
import type { Counter } from 'prom-client';
import { Metrics } from '#src/common/metrics.js';

/** Per partition, the fencing epoch its lease's holder got when it took the lock. */
export type PartitionEpochs = ReadonlyMap<number, number>;

/**
 * The fence of a partition's state checkpoint by its lease (ARCHITECTURE.md §9). A cluster
 * processor that takes a partition's lock bumps the partition's epoch (`partition_epochs`, on
 * the lease session that holds the lock, before it restores) and {@link hold}s it; every write of
 * the partition's state and positions then runs in a statement that first locks the epoch row
 * `FOR SHARE` and writes the partition only if the row still has that epoch ({@link guard}).
 *
 * So a write and a bump of the same partition are ordered by the row lock, not by a look at who
 * holds the advisory lock: a write that locked the row first commits before the bump, hence
 * before the new owner restores (which it does after the bump), and is in what it restores; a
 * write that comes after the bump finds the newer epoch and writes nothing of the partition.
 * A check of `pg_locks` in the writing transaction would not order anything: the old session can
 * die right after it, and the new owner lock, restore and replay before the old write commits
 * over what it restored.
 *
 * A refused write is counted (`convoi_state_fenced_writes_total`), logged, and reported to the
 * {@link onFenced} listeners (the cluster intake drops the partition as lost). On one node
 * (nothing {@link enforce}d) every write goes through unfenced: it owns every partition.
 */
@Injectable()
export class PartitionFence {
  private readonly logger = new Logger(PartitionFence.name);
  private readonly epochs = new Map<number, number>();
  private readonly listeners: ((partitions: number[]) => void)[] = [];
  private readonly refusals?: Counter;
  /** Cluster mode: a partition's state is written only under the epoch held for it. */
  private enforcing = false;

  constructor(@Optional() metrics?: Metrics) {
    this.refusals = metrics?.counter(
      'convoi_state_fenced_writes_total',
      "Writes of a partition's state or position refused: another processor took the partition since",
    );
  }

  /** From now on a write of a partition this process holds no epoch of is refused (a cluster processor). */
  enforce(): void {
    this.enforcing = true;
  }

  get enforced(): boolean {
    return this.enforcing;
  }

  /** The partitions' locks were taken with these epochs: their writes carry them from now on. */
  hold(epochs: PartitionEpochs): void {
    this.enforcing = true;
    for (const [partition, epoch] of epochs) this.epochs.set(partition, epoch);
  }

  /** The partitions are given or lost: nothing more of them is written by this process. */
  drop(partitions: readonly number[]): void {
    for (const p of partitions) this.epochs.delete(p);
  }

  epochOf(partition: number): number | undefined {
    return this.epochs.get(partition);
  }

  /** Called with the partitions a write was refused for, after the write's statement ended. */
  onFenced(listener: (partitions: number[]) => void): void {
    this.listeners.push(listener);
  }

  /** The fence of one statement that writes state or positions of `partitions`. */
  guard(partitions: Iterable<number>): WriteGuard {
    const touched = [...new Set(partitions)].sort((a, b) => a - b);
    if (!this.enforcing) return new WriteGuard(this, touched, [], [], true);
    const claimed = touched.filter((p) => this.epochs.has(p));
    return new WriteGuard(
      this,
      touched,
      claimed,
      claimed.map((p) => this.epochs.get(p) ?? 0),
      false,
    );
  }

  /**
   * A statement's writes of these partitions were refused: each held elsewhere at `found` (or
   * never taken), while the statement claimed `mine` (undefined: this process held none). Those
   * it held at `mine` and still does are dropped and reported to the listeners; a partition held
   * here at another epoch since the statement was built (lost and taken back) stays held: the
   * refusal was of the older tenure's write.
   */
  refused(refusals: readonly Refusal[]): void {
    const dropped: number[] = [];
    for (const { partition, mine, found } of refusals) {
      this.refusals?.inc();
      this.logger.warn(
        { partition, mine, epoch: found },
        mine === undefined
          ? `fenced: partition ${partition} is not held here`
          : `fenced: partition ${partition} now held at epoch ${found ?? 'none'}`,
      );
      // Not held when the statement was built: nothing to give up (a state `obtain`ed for a
      // partition never taken, or one given since); a partition being taken is not dropped.
      if (mine !== undefined && this.epochs.get(partition) === mine) dropped.push(partition);
    }
    if (dropped.length === 0) return;
    this.drop(dropped);
    for (const listener of this.listeners) listener(dropped);
  }
}

/** A partition whose write was refused: the epoch the write claimed, the one the row had. */
export interface Refusal {
  partition: number;
  mine: number | undefined;
  found: number | undefined;
}

/**
 * One statement's fence: {@link ctes} go first in its `WITH`, every write of a partition's rows
 * is filtered by {@link admits}, and the statement ends with `SELECT partition, epoch FROM fence`,
 * whose rows {@link settle} checks.
 */
export class WriteGuard {
  constructor(
    private readonly fence: PartitionFence,
    /** The partitions the statement writes, ascending. */
    readonly touched: readonly number[],
    private readonly claimed: readonly number[],
    private readonly epochs: readonly number[],
    private readonly free: boolean,
  ) {}

  /**
   * `fence`: the epoch rows of the partitions claimed, locked `FOR SHARE` in partition order (a
   * bump, which locks them in the same order, waits for this statement's commit, and this waits
   * for a bump's; READ COMMITTED then reads the bumped row). `held`: those still at this
   * process's epoch. MATERIALIZED: locked and read once, whatever references them. FOR SHARE,
   * not the lighter FOR KEY SHARE: an update of `epoch` (not a key) does not wait for that one.
   */
  ctes(): RawBuilder<unknown> {
    return sql`fence AS MATERIALIZED (
        SELECT e.partition, e.epoch FROM partition_epochs e
        WHERE e.partition = ANY(${this.claimed}::int[]) ORDER BY e.partition FOR SHARE
      ), held AS MATERIALIZED (
        SELECT m.partition FROM unnest(${this.claimed}::int[], ${this.epochs}::int[]) AS m(partition, epoch)
        JOIN fence f ON f.partition = m.partition AND f.epoch = m.epoch
      )`;
  }

  /** True for a row of `column`'s partition this statement may write. */
  admits(column: string): RawBuilder<unknown> {
    return sql`(${this.free}::boolean OR ${sql.raw(column)} IN (SELECT partition FROM held))`;
  }

  /**
   * Checks what `fence` read: a partition written here but not at this process's epoch was not
   * written; reported to the fence (logged, counted, listeners told). Returns those partitions.
   */
  settle(rows: readonly { partition: number; epoch: number }[]): number[] {
    if (this.free) return [];
    const found = new Map(rows.map((r) => [r.partition, r.epoch]));
    const refused: Refusal[] = [];
    for (const partition of this.touched) {
      const at = this.claimed.indexOf(partition);
      const mine = at < 0 ? undefined : this.epochs[at];
      if (mine === undefined || found.get(partition) !== mine)
        refused.push({ partition, mine, found: found.get(partition) });
    }
    if (refused.length > 0) this.fence.refused(refused);
    return refused.map((r) => r.partition);
  }
}
