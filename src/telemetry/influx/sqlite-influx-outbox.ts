import type { Clock } from '#src/common/clock.js';
import type { SqliteDatabase } from '#src/storage/sqlite-database.js';
import type { DeadLetterSummary, DroppedDeadLetters } from './influx-dead-letter.store.js';
import { InfluxOutbox, type DeadPart, type DroppedBatches } from './influx-outbox.js';
import { InfluxOutboxStore, type OutboxGroup, type OutboxStats } from './influx-outbox.store.js';

/**
 * The outbox in the node's own SQLite file (no `DATABASE_URL`): {@link InfluxOutboxStore}'s
 * synchronous statements behind the asynchronous port. Each method runs its statements before it
 * returns its promise, so the writer's order of calls is the queue's order, and the depth is
 * exact (this node is the file's only writer).
 */
export class SqliteInfluxOutbox extends InfluxOutbox {
  readonly shared = false;
  readonly store: InfluxOutboxStore;

  constructor(sqlite: SqliteDatabase, clock: Clock) {
    super();
    this.store = new InfluxOutboxStore(sqlite, clock);
  }

  open(): Promise<void> {
    this.store.migrate();
    return Promise.resolve();
  }

  stats(): OutboxStats {
    return this.store.stats();
  }

  ownBatches(): number {
    return this.store.stats().batches;
  }

  refresh(): Promise<void> {
    return Promise.resolve();
  }

  append(batches: readonly (readonly string[])[]): Promise<void> {
    for (const b of batches) this.store.append(b);
    return Promise.resolve();
  }

  groups(maxLines: number, count: number, afterId = 0): Promise<OutboxGroup[]> {
    return Promise.resolve(this.store.groups(maxLines, count, afterId));
  }

  settle(
    group: OutboxGroup,
    retry: readonly string[],
    dead: readonly DeadPart[],
    error?: string,
  ): Promise<void> {
    this.store.settle(group, retry, dead, error);
    return Promise.resolve();
  }

  deadLetter(lines: readonly string[], status: number, reason: string): Promise<void> {
    this.store.deadLetter(lines, status, reason);
    return Promise.resolve();
  }

  trim(maxLines: number): Promise<DroppedBatches> {
    return Promise.resolve(this.store.trim(maxLines));
  }

  boundDeadLetters(maxLines: number, onDropped: (dropped: DroppedDeadLetters) => void): void {
    this.store.boundDeadLetters(maxLines, onDropped);
  }

  listDeadLetters(limit: number, afterId = 0): Promise<DeadLetterSummary[]> {
    return Promise.resolve(this.store.listDeadLetters(limit, afterId));
  }

  countDeadLetters(): Promise<number> {
    return Promise.resolve(this.store.countDeadLetters());
  }

  requeueDeadLetter(id: number): Promise<{ lines: number } | undefined> {
    return Promise.resolve(this.store.requeueDeadLetter(id));
  }

  deleteDeadLetter(id: number): Promise<boolean> {
    return Promise.resolve(this.store.deleteDeadLetter(id));
  }
}
