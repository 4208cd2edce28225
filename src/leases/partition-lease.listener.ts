/**
 * What the processor does as its partitions' leases change (ARCHITECTURE.md §9). Each call is
 * awaited before the leases go on, so a hand-off is ordered: the giver stops applying and takes
 * a last checkpoint ({@link releasing}) before its lock is released; the taker holds the lock
 * before it restores ({@link acquired}). PostgreSQL lets only one session hold a partition's
 * lock, so no partition is applied by two processors at once.
 */
export interface PartitionLeaseListener {
  /**
   * The locks of `partitions` are held and their fencing `epochs` bumped (partition-epochs.ts):
   * hold the epochs for the partitions' writes, restore their state from their checkpoints
   * (`ContainerStates.restore`), then take them (`PartitionOwnership.take`), and replay the log
   * from each one's checkpointed position. A throw releases the locks again.
   */
  acquired(partitions: number[], epochs: ReadonlyMap<number, number>): Promise<void>;
  /**
   * The locks of `partitions` are about to be released (a rebalance, or a clean stop): stop
   * applying them (`PartitionOwnership.give`), then checkpoint them. The locks are released after
   * this returns, or throws (the taker then replays from the previous checkpoint: longer, not wrong).
   */
  releasing(partitions: number[]): Promise<void>;
  /**
   * The session died and the locks of `partitions` with it, or a write of theirs was fenced:
   * another processor may own them already. Stop applying them at once, and checkpoint nothing
   * of them.
   */
  lost(partitions: number[]): void;
}
