import { partitionOf } from '#src/contracts/partition.js';

/**
 * The partitions this processor owns (ARCHITECTURE.md §2, §9): it applies to the state only the
 * readings of these, each partition's in log order, and its state checkpoint records a position
 * for these only. On one node the one processor owns them all. In cluster mode a processor holds
 * a lease on some, and a new owner of a partition restores its state from that partition's
 * checkpoint and replays the log from the position recorded there.
 *
 * In cluster mode the set changes at run time, as leases are taken and handed off
 * (`leases/partition-leases.ts`): {@link give} before a partition's last checkpoint, so nothing
 * is applied to it past that checkpoint; {@link take} once its state is restored.
 */
export class PartitionOwnership {
  private constructor(
    /** The partition count of the data (`PARTITIONS`). */
    readonly partitions: number,
    private readonly mine: Uint8Array,
    private count: number,
  ) {}

  /** Whether every partition is this processor's: then no reading needs its partition computed. */
  get ownsAll(): boolean {
    return this.count === this.partitions;
  }

  /** The one processor of a node: every partition. */
  static all(partitions: number): PartitionOwnership {
    return new PartitionOwnership(partitions, new Uint8Array(partitions).fill(1), partitions);
  }

  /** A processor that owns `owned` of `partitions` (a lease, in cluster mode). */
  static of(partitions: number, owned: Iterable<number>): PartitionOwnership {
    const ownership = new PartitionOwnership(partitions, new Uint8Array(partitions), 0);
    ownership.take(owned);
    return ownership;
  }

  /**
   * Adds partitions to the owned set (a lease acquired and its state restored). All are checked
   * before any is added: a bad one leaves the set as it was.
   */
  take(partitions: Iterable<number>): void {
    for (const p of this.checked(partitions)) {
      if (this.mine[p] === 0) this.count++;
      this.mine[p] = 1;
    }
  }

  /** Removes partitions from the owned set (a lease about to be released, or lost): their readings are no longer applied. */
  give(partitions: Iterable<number>): void {
    for (const p of this.checked(partitions)) {
      if (this.mine[p] === 1) this.count--;
      this.mine[p] = 0;
    }
  }

  /** The partition of a container, among this data's `partitions`. */
  partitionOf(containerId: string): number {
    return partitionOf(containerId, this.partitions);
  }

  owns(partition: number): boolean {
    return this.mine[partition] === 1;
  }

  /** The partitions owned, ascending. */
  owned(): number[] {
    const owned: number[] = [];
    for (let p = 0; p < this.partitions; p++) if (this.mine[p] === 1) owned.push(p);
    return owned;
  }

  private checked(partitions: Iterable<number>): number[] {
    const list = [...partitions];
    for (const p of list)
      if (!Number.isInteger(p) || p < 0 || p >= this.partitions)
        throw new RangeError(`partition ${p} is not one of 0 to ${this.partitions - 1}`);
    return list;
  }
}
