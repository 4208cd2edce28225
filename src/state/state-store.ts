import type { PageIdsOf } from './state-pages.js';

/**
 * Where the container states are written behind (state.tables.ts on SQLite,
 * postgres-state.tables.ts on PostgreSQL): the writes of one {@link transaction} are stored
 * together, or not at all.
 */
export interface StateStore {
  /** False once the store is closed: writes then wait in memory (for the shutdown's last flush). */
  readonly open: boolean;
  /** Writes recorded and not stored yet (a failed PostgreSQL statement's); always 0 on SQLite. */
  readonly waiting: number;
  /**
   * Runs `work`, whose writes are stored in one transaction. SQLite stores them before it
   * returns; PostgreSQL sends them and returns the promise of their commit (a failed one keeps
   * them for the next transaction).
   */
  transaction(work: () => void): void | Promise<void>;
  writePage(
    partition: number,
    page: number,
    numbers: Float64Array,
    present: Uint8Array,
    ids: PageIdsOf,
    nowMs: number,
  ): void;
  /** Writes a page's windows into its row; false when the row is not written yet. */
  writeWindow(partition: number, page: number, window: Float64Array): boolean;
  writeRules(containerId: string, partition: number, json: string, nowMs: number): void;
  writeJourney(containerId: string, partition: number, json: string, nowMs: number): void;
  /** Deletes a container's row. */
  forget(containerId: string): void;
  /**
   * Drops the writes of these partitions still waiting (PostgreSQL away): the process gave them
   * away, and their new owner restored what was stored and replays the log from its position, so
   * sent later they would overwrite its newer state. Nothing waits on SQLite.
   */
  dropWaiting(partitions: ReadonlySet<number>): void;
}
