// Entry of the WAL checkpointer thread: copies committed pages from convoi.sqlite's write-ahead
// log into the database file, off the main thread. See wal-checkpointer.ts.
import BetterSqlite3 from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { nameThisThread } from '#src/common/thread-name.js';

const { file, everyMs } = workerData as { file: string; everyMs: number };
nameThisThread('convoi-wal');
const db = new BetterSqlite3(file);
db.pragma('busy_timeout = 1000');
const timer = setInterval(() => {
  try {
    // PASSIVE: copies what no reader still needs and never waits for, or blocks, the writer.
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // Busy or closing: the next round tries again.
  }
}, everyMs);

parentPort?.on('message', (message: 'close') => {
  if (message !== 'close') return;
  clearInterval(timer);
  db.close();
  parentPort?.close();
});
