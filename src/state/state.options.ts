/** Settings of the container-state owner. */
export class StateOptions {
  /** The input log's partition count (`partitionOf`); the `PARTITIONS` setting. */
  partitions = 64;
}
