/** Settings of the container-state owner. */
export class StateOptions {
  /** The input log's partition count (`partitionOf`); the `PARTITIONS` setting. */
  partitions = 64;
  /**
   * The partitions whose states are loaded at start (undefined: all of them, one process owning
   * the whole log); others are loaded by `ContainerStates.restore` when taken over.
   */
  ownedAtStart?: readonly number[];
}
