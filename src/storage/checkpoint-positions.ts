/** The input log whose positions a checkpoint records (a JetStream stream would be another). */
export const INBOX_LOG = 'inbox';

/** The positions a start finds: the whole log's (0: none) and each partition's that has one. */
export interface StoredPositions {
  wholeLog: number;
  partitions: { partition: number; position: number }[];
}

/**
 * Where the state checkpoint keeps its positions (state-checkpoint.ts): the SQLite file, or
 * PostgreSQL with the state's tables. SQLite answers before its calls return; PostgreSQL with
 * promises.
 */
export interface CheckpointPositions {
  /** Migrates the tables, holds the data to `partitions` (partition-count.guard.ts), reads the positions. */
  open(partitions: number, nowMs: number): StoredPositions | Promise<StoredPositions>;
  readonly isOpen: boolean;
  /** The positions of these partitions (a takeover's). */
  read(partitions: readonly number[]): Promise<StoredPositions>;
  /**
   * Stores `position` for each of `owned`, and for the whole log when `wholeLog`, in one
   * transaction. A partition not listed keeps the position its owner wrote.
   */
  save(position: number, nowMs: number, owned: readonly number[], wholeLog: boolean): void | Promise<void>;
  /** Lowers every stored position of the log above `position` to it. */
  lower(position: number): void | Promise<void>;
}
