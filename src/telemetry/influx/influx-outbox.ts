import type { DeadLetterSummary, DroppedDeadLetters } from './influx-dead-letter.store.js';
import type { OutboxGroup, OutboxStats } from './influx-outbox.store.js';

/** A part of a replayed group InfluxDB refused for good. */
export interface DeadPart {
  lines: readonly string[];
  status: number;
  reason: string;
}

/** What the bound dropped from the head of the outbox. */
export interface DroppedBatches {
  batches: number;
  lines: number;
  /** created_at of the oldest dropped batch, epoch ms. */
  oldestCreatedAt?: number;
}

/**
 * The InfluxDB writer's durable queue and dead letters (ARCHITECTURE.md §5), in the operational
 * store: the node's SQLite file ({@link SqliteInfluxOutbox}), or PostgreSQL with `DATABASE_URL`
 * ({@link PostgresInfluxOutbox}), one queue every node appends to and the holder of the
 * `influx-outbox-replay` lease replays. Only failures and replays touch it: the writer's hot path
 * reads {@link stats} and {@link ownBatches}, kept in memory, never the store.
 */
export abstract class InfluxOutbox {
  /** True when every node shares the queue (PostgreSQL): its depth is refreshed, not exact. */
  abstract readonly shared: boolean;

  /** Migrates the tables and counts the queue once. */
  abstract open(): Promise<void>;

  /** The whole queue's depth, from memory (on PostgreSQL as of the last {@link refresh}, plus this node's changes since). */
  abstract stats(): OutboxStats;

  /** Rows this writer queued that are still waiting: its new batches go behind them. */
  abstract ownBatches(): number;

  /** Counts the queue again (PostgreSQL: other nodes append and replay); nothing on SQLite. */
  abstract refresh(): Promise<void>;

  /** Appends batches at the tail, in order (each batch one row). */
  abstract append(batches: readonly (readonly string[])[]): Promise<void>;

  /** See {@link InfluxOutboxStore.groups}. */
  abstract groups(maxLines: number, count: number, afterId?: number): Promise<OutboxGroup[]>;

  /** See {@link InfluxOutboxStore.settle}: in one transaction. */
  abstract settle(
    group: OutboxGroup,
    retry: readonly string[],
    dead: readonly DeadPart[],
    error?: string,
  ): Promise<void>;

  abstract deadLetter(lines: readonly string[], status: number, reason: string): Promise<void>;

  /** Deletes the oldest batches until at most `maxLines` lines remain; returns what was dropped. */
  abstract trim(maxLines: number): Promise<DroppedBatches>;

  /** Keeps at most `maxLines` dead-lettered lines, telling `onDropped` of what the bound drops. */
  abstract boundDeadLetters(maxLines: number, onDropped: (dropped: DroppedDeadLetters) => void): void;

  abstract listDeadLetters(limit: number, afterId?: number): Promise<DeadLetterSummary[]>;

  abstract countDeadLetters(): Promise<number>;

  /** Moves a dead letter back to the end of the outbox; undefined when there is no such id. */
  abstract requeueDeadLetter(id: number): Promise<{ lines: number } | undefined>;

  abstract deleteDeadLetter(id: number): Promise<boolean>;
}
