/** The node's inbox, whose positions a single node's checkpoint records (its message ids). */
export const INBOX_LOG = 'inbox';
/**
 * The shared JetStream stream of cluster mode: its sequence is another counter than the inbox's
 * ids, so its partitions' positions are kept under another name.
 */
export const STREAM_LOG = 'stream';

/** The positions a start finds: the whole log's (0: none) and each partition's that has one. */
export interface StoredPositions {
  wholeLog: number;
  partitions: { partition: number; position: number }[];
}

/** A partition and the position of the last entry of it the state reflects. */
export type PartitionPosition = readonly [partition: number, position: number];

/**
 * Where the state checkpoint keeps its positions (state-checkpoint.ts): the SQLite file, or
 * PostgreSQL with the state's tables. SQLite answers before its calls return; PostgreSQL with
 * promises.
 */
export interface CheckpointPositions {
  /** Migrates the tables, holds the data to `partitions` (partition-count.guard.ts), reads the positions. */
  open(partitions: number, nowMs: number): StoredPositions | Promise<StoredPositions>;
  readonly isOpen: boolean;
  /** The positions of these partitions in `log` (a takeover's). */
  read(partitions: readonly number[], log: string): Promise<StoredPositions>;
  /**
   * Stores `position` for each of `owned`, and for the whole log when `wholeLog`, in one
   * transaction. A partition not listed keeps the position its owner wrote.
   */
  save(position: number, nowMs: number, owned: readonly number[], wholeLog: boolean): void | Promise<void>;
  /**
   * Stores each entry's position for its partition in the stream ({@link STREAM_LOG}), in one
   * transaction (cluster mode: partitions read apart, each at its own position).
   */
  savePartitions(entries: readonly PartitionPosition[], nowMs: number): void | Promise<void>;
  /** Lowers every stored position of the log above `position` to it. */
  lower(position: number): void | Promise<void>;
}
