// Entry of the telemetry store thread: inserts the readings into the embedded store with a
// connection of its own, so the main thread (pipeline, rules, API) does not spend a fifth of
// itself in SQLite at 15,000 readings/s. See telemetry-store.thread.ts.
import BetterSqlite3 from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { nameThisThread } from '#src/common/thread-name.js';
import { WRITER_CHECKPOINT_PAGES } from '#src/storage/wal-checkpointer.js';
import { ReadingRowsWriter } from '../reading-rows.writer.js';
import type {
  FromTelemetryStore,
  TelemetryStoreSettings,
  ToTelemetryStore,
} from './telemetry-store.messages.js';

/** Pause before retrying a batch SQLite refused (disk full, read-only, locked for too long). */
const RETRY_AFTER_FAILURE_MS = 1000;

const port = parentPort;
if (port === null) throw new Error('telemetry-store.worker.js runs as a worker thread only');
const { file } = workerData as TelemetryStoreSettings;
nameThisThread('convoi-store');
const db = new BetterSqlite3(file);
// Per connection: as durable as the main connection. The checkpointer thread copies the WAL;
// this one checkpoints only past WRITER_CHECKPOINT_PAGES, which lets the WAL start again.
db.pragma('synchronous = NORMAL');
db.pragma('busy_timeout = 5000');
db.pragma(`wal_autocheckpoint = ${WRITER_CHECKPOINT_PAGES}`);
const writer = new ReadingRowsWriter(db);

/** Batches not stored yet, in order: a failed one holds back the ones behind it. */
const queue: Extract<ToTelemetryStore, { kind: 'rows' }>[] = [];
let retry: NodeJS.Timeout | undefined;
let closing = false;

const send = (message: FromTelemetryStore): void => port.postMessage(message);

const drain = (): void => {
  retry = undefined;
  while (queue.length > 0) {
    const batch = queue[0];
    try {
      const transactionSeconds = writer.write(batch.batch);
      queue.shift();
      send({ kind: 'stored', seq: batch.seq, rows: batch.batch.rows, transactionSeconds });
    } catch (err) {
      send({ kind: 'failed', seq: batch.seq, error: String(err) });
      retry = setTimeout(drain, RETRY_AFTER_FAILURE_MS);
      return;
    }
  }
  if (closing) close();
};

const close = (): void => {
  db.close();
  port.close();
};

port.on('message', (message: ToTelemetryStore) => {
  if (message.kind === 'close') {
    closing = true;
    // With a batch failing, the main thread stores what is left itself after the thread exits.
    if (retry !== undefined) clearTimeout(retry);
    if (queue.length === 0 || retry !== undefined) close();
    return;
  }
  queue.push(message);
  if (retry === undefined) drain();
});
