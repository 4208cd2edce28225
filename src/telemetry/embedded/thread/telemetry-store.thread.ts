import { Worker } from 'node:worker_threads';
import type { ReadingRows } from '../reading-row.js';
import type {
  FromTelemetryStore,
  TelemetryStoreSettings,
  ToTelemetryStore,
} from './telemetry-store.messages.js';

export interface TelemetryStoreEvents {
  stored(seq: number, rows: number, transactionSeconds: number[]): void;
  failed(seq: number, error: string): void;
  /** The thread is gone (crashed, or closed): batches it did not confirm are not stored. */
  gone(why: string): void;
}

/** Most time a closing thread gets to store what it was sent before it is stopped, ms. */
const CLOSE_TIMEOUT_MS = 10_000;

/**
 * The main thread's handle on the telemetry store thread: sends batches of rows in order, and
 * reports what the thread confirms. It never retries or replays itself: the writer keeps every
 * batch until it is confirmed, and stores the rest on its own connection when the thread is gone.
 */
export class TelemetryStoreThread {
  private readonly worker: Worker;
  private exited = false;
  private readonly exit: Promise<void>;

  constructor(settings: TelemetryStoreSettings, events: TelemetryStoreEvents) {
    this.worker = new Worker(new URL('./telemetry-store.worker.js', import.meta.url), {
      workerData: settings,
    });
    this.worker.on('message', (message: FromTelemetryStore) => {
      if (message.kind === 'stored') events.stored(message.seq, message.rows, message.transactionSeconds);
      else events.failed(message.seq, message.error);
    });
    let failure: string | undefined;
    this.worker.on('error', (err) => (failure = err.message));
    this.exit = new Promise((resolve) =>
      this.worker.once('exit', (code) => {
        this.exited = true;
        events.gone(failure ?? `exited (code ${code})`);
        resolve();
      }),
    );
  }

  get alive(): boolean {
    return !this.exited;
  }

  /** Sends a batch: its numbers are copied in one piece (the writer keeps its own until confirmed). */
  send(seq: number, batch: ReadingRows): void {
    this.post({ kind: 'rows', seq, batch });
  }

  /** Lets the thread store what it was sent, then stops it (after {@link CLOSE_TIMEOUT_MS} at most). */
  async close(): Promise<void> {
    if (this.exited) return;
    this.post({ kind: 'close' });
    const timeout = setTimeout(() => void this.worker.terminate(), CLOSE_TIMEOUT_MS);
    await this.exit;
    clearTimeout(timeout);
  }

  private post(message: ToTelemetryStore): void {
    if (!this.exited) this.worker.postMessage(message);
  }
}
