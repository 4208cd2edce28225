import { Injectable, Logger } from '@nestjs/common';
import { setTimeout as delay } from 'node:timers/promises';
import { OperationalDatabase } from '#src/storage/operational-database.js';
import { AlertChangeOutbox } from './alert-change.outbox.js';
import { AlertsRepository, type AlertWrite } from './alerts.repository.js';

/** Changes stored per PostgreSQL transaction at most (18 parameters per alert row). */
const BATCH = 500;
/** Pauses between attempts while PostgreSQL does not answer, ms: doubling up to the last. */
const FIRST_RETRY_MS = 100;
const LAST_RETRY_MS = 2_000;
/** How long the shutdown waits for PostgreSQL; what is left stays in the outbox for the next start. */
const SHUTDOWN_WAIT_MS = 10_000;

/**
 * The one ordered way of alert changes to the operational store (ARCHITECTURE.md §5).
 *
 * On SQLite a change is stored at once, synchronously, in one transaction, as before PostgreSQL
 * existed: before the rule state that raised it is written (`RuleStateStore.persistNow`), within
 * the same reading. On PostgreSQL a change is kept in the local outbox at that moment instead (one
 * SQLite INSERT), and written behind, in the order decided, in batches: each batch is one
 * transaction of two statements, whatever its size. Readings never wait on PostgreSQL.
 *
 * A batch PostgreSQL cannot take for now is retried, oldest first, until it does; one it refuses
 * (a constraint: another node holds the active alert of that container and rule) is stored change
 * by change, and each refused change is logged and dropped: the database has the last word.
 */
@Injectable()
export class AlertWriter {
  private readonly logger = new Logger('Alerts');
  private readonly behind: boolean;
  private readonly queue: { id: number; write: AlertWrite }[] = [];
  private readonly waiters: { id: number; done: () => void }[] = [];
  private draining: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly repository: AlertsRepository,
    private readonly outbox: AlertChangeOutbox,
    store: OperationalDatabase,
  ) {
    this.behind = store.dialect === 'postgres';
    store.flushBeforeClose(() => this.close());
  }

  /** Stores the changes a crash left in the outbox (start, before memory is loaded from the store). */
  async storeLeftOver(): Promise<void> {
    if (!this.behind) return;
    const left = this.outbox.pending();
    for (const { id, write } of left) {
      if (!(await this.refusable(write, () => this.repository.storeAgain(write)))) return;
      this.outbox.doneThrough(id);
    }
    if (left.length > 0) this.logger.log(`Stored ${left.length} alert changes left by the last run`);
  }

  /** Stores one change: now on SQLite; on PostgreSQL, kept in the outbox now and written behind. */
  record(write: AlertWrite): void {
    if (!this.behind) {
      this.repository.storeNow(write);
      return;
    }
    this.queue.push({ id: this.outbox.add(write), write });
    this.draining ??= this.drain();
  }

  /** Whether changes recorded are not stored yet (PostgreSQL, written behind). */
  get waiting(): boolean {
    return this.queue.length > 0;
  }

  /** Resolves once every change recorded so far is stored (at once on SQLite). */
  flush(): Promise<void> {
    const last = this.queue.at(-1);
    if (last === undefined) return Promise.resolve();
    return new Promise((done) => this.waiters.push({ id: last.id, done }));
  }

  private async close(): Promise<void> {
    const flushed = this.flush().then(() => true);
    const timeout = delay(SHUTDOWN_WAIT_MS, false, { ref: false });
    if (!(await Promise.race([flushed, timeout])))
      this.logger.warn(`${this.queue.length} alert changes left in the outbox for the next start`);
    this.stopped = true;
    // Nothing more is stored in this run: a late reader gets what the store has.
    for (const waiter of this.waiters.splice(0)) waiter.done();
  }

  private async drain(): Promise<void> {
    let pause = FIRST_RETRY_MS;
    try {
      while (this.queue.length > 0 && !this.stopped) {
        const batch = this.queue.slice(0, BATCH);
        const writes = batch.map((b) => b.write);
        try {
          await this.repository.store(writes);
        } catch (err) {
          if (!isRefusal(err)) {
            this.logger.warn({ err, waiting: this.queue.length }, 'Alert changes not stored yet: retrying');
            await delay(pause);
            pause = Math.min(pause * 2, LAST_RETRY_MS);
            continue;
          }
          for (const write of writes)
            if (!(await this.refusable(write, () => this.repository.store([write])))) return;
        }
        pause = FIRST_RETRY_MS;
        this.queue.splice(0, batch.length);
        const last = batch[batch.length - 1].id;
        this.outbox.doneThrough(last);
        this.settle(last);
      }
    } finally {
      this.draining = undefined;
    }
  }

  /**
   * Runs a store step until the store answers: true once stored, or refused by a constraint
   * (logged, the change dropped); false when shut down first (the change stays in the outbox).
   */
  private async refusable(write: AlertWrite, step: () => Promise<void>): Promise<boolean> {
    for (let pause = FIRST_RETRY_MS; !this.stopped; pause = Math.min(pause * 2, LAST_RETRY_MS)) {
      try {
        await step();
        return true;
      } catch (err) {
        if (isRefusal(err)) {
          const { id, containerId, ruleId } = write.alert;
          this.logger.error({ alertId: id, containerId, ruleId, err }, 'Alert change refused by the store');
          return true;
        }
        await delay(pause);
      }
    }
    return false;
  }

  private settle(storedThrough: number): void {
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      if (this.waiters[i].id > storedThrough) continue;
      this.waiters[i].done();
      this.waiters.splice(i, 1);
    }
  }
}

/** PostgreSQL refused the statement for its data (SQLSTATE class 23: unique, foreign key, check). */
function isRefusal(err: unknown): boolean {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' && code.startsWith('23');
}
