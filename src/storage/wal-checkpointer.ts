import { Logger } from '@nestjs/common';
import type { Database } from 'better-sqlite3';
import { Worker } from 'node:worker_threads';

/** How often the checkpointer copies the WAL back into the database, ms. */
const CHECKPOINT_EVERY_MS = 500;

/**
 * WAL pages past which a writer checkpoints itself (only what the thread has not copied yet).
 * A WAL starts again from its beginning only when a write finds it fully copied; with commits
 * every few milliseconds, a checkpoint from another connection never does, and the WAL grew
 * without end (1 GB in 40 s at 15,000 readings/s). About 40 MB of 4 KB pages: a writer pays for
 * a short checkpoint every few seconds at that rate, not for every 4 MB as by default.
 */
export const WRITER_CHECKPOINT_PAGES = 10_000;

/**
 * Moves SQLite's WAL checkpoints off the main thread. By default the connection that commits
 * the transaction crossing 1,000 WAL pages runs the checkpoint inside that commit: on the
 * ingestion path that was a stall of up to 60 ms of the event loop (REST requests waiting behind
 * it) about once a second at 15,000 readings/s. Here a thread of its own checkpoints every
 * {@link CHECKPOINT_EVERY_MS} ms with its own connection, and the writer only past
 * {@link WRITER_CHECKPOINT_PAGES}; if the thread cannot run, the connection goes back to
 * checkpointing itself every 1,000 pages.
 */
export class WalCheckpointer {
  private readonly logger = new Logger(WalCheckpointer.name);
  private worker?: Worker;

  constructor(
    private readonly connection: Database,
    file: string,
  ) {
    connection.pragma(`wal_autocheckpoint = ${WRITER_CHECKPOINT_PAGES}`);
    const worker = new Worker(new URL('./wal-checkpoint.worker.js', import.meta.url), {
      workerData: { file, everyMs: CHECKPOINT_EVERY_MS },
    });
    worker.on('error', (err) => this.fallBack(`failed: ${err.message}`));
    worker.once('exit', (code) => {
      if (this.worker !== undefined) this.fallBack(`exited (code ${code})`);
    });
    worker.unref();
    this.worker = worker;
  }

  /**
   * Stops the thread and resolves once it has closed its connection, so that the owner's
   * connection, closed after, is the last one: it runs the final checkpoint and removes the WAL
   * files, and nothing touches the directory after the owner is closed.
   */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker === undefined) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.ref(); // unreferenced while it runs; awaited now, it must keep the process up
    worker.postMessage('close');
    await exited;
  }

  private fallBack(why: string): void {
    this.worker = undefined;
    this.logger.error(`WAL checkpointer ${why}: the main connection checkpoints again`);
    if (this.connection.open) this.connection.pragma('wal_autocheckpoint = 1000');
  }
}
