import { partitionOf } from '#src/contracts/partition.js';

/**
 * The partitions this processor owns (ARCHITECTURE.md §2, §9): it applies to the state only the
 * readings of these, each partition's in log order, and its state checkpoint records a position
 * for these only. On one node the one processor owns them all. In cluster mode a processor holds
 * a lease on some, and a new owner of a partition restores its state from that partition's
 * checkpoint and replays the log from the position recorded there.
 */
export class PartitionOwnership {
  private constructor(
    /** The partition count of the data (`PARTITIONS`). */
    readonly partitions: number,
    private readonly mine: Uint8Array,
    /** Whether every partition is this processor's: then no reading needs its partition computed. */
    readonly ownsAll: boolean,
  ) {}

  /** The one processor of a node: every partition. */
  static all(partitions: number): PartitionOwnership {
    return new PartitionOwnership(partitions, new Uint8Array(partitions).fill(1), true);
  }

  /** A processor that owns `owned` of `partitions` (a lease, in cluster mode). */
  static of(partitions: number, owned: Iterable<number>): PartitionOwnership {
    const mine = new Uint8Array(partitions);
    for (const p of owned) {
      if (!Number.isInteger(p) || p < 0 || p >= partitions)
        throw new RangeError(`partition ${p} is not one of 0 to ${partitions - 1}`);
      mine[p] = 1;
    }
    return new PartitionOwnership(
      partitions,
      mine,
      mine.every((m) => m === 1),
    );
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
}
