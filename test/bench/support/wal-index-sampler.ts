import { closeSync, openSync, readSync } from 'node:fs';

/** How often the WAL index is read, ms: a restart between two reads hides the frames before it. */
const SAMPLE_EVERY_MS = 20;

/** What a SQLite file's write-ahead log did over a window, read from its WAL index. */
export interface WalWindow {
  /** Frames (pages) appended to the WAL; a lower bound if it restarted between two samples. */
  framesAppended: number;
  /** Times the WAL started again from its beginning (fully copied back when a writer began). */
  restarts: number;
  /** Largest WAL seen, frames. */
  maxFrames: number;
  /** Most frames seen not yet copied back into the database file. */
  maxBehind: number;
}

/**
 * Samples the WAL index (`<file>-shm`, SQLite's shared memory, read through the file that backs
 * it) of a database another process writes: `mxFrame` (frames in the WAL), `nBackfill` (how many
 * of them a checkpoint has copied back) and the salt SQLite increments at each restart of the WAL.
 * Offsets from SQLite's wal.c (WalIndexHdr at 0, twice; WalCkptInfo at 96), native byte order.
 */
export class WalIndexSampler {
  private readonly buffer = Buffer.alloc(132);
  private fd?: number;
  private timer?: NodeJS.Timeout;
  private last?: { mxFrame: number; salt: number };
  private window: WalWindow = emptyWindow();

  constructor(private readonly file: string) {}

  /** Opens the WAL index; `every`: also reads it on a timer (off for a caller that samples itself). */
  start(every = true): void {
    this.fd = openSync(`${this.file}-shm`, 'r');
    if (every) this.timer = setInterval(() => this.sample(), SAMPLE_EVERY_MS);
  }

  /** What the WAL did since the last call (or the start). */
  take(): WalWindow {
    const taken = this.window;
    this.window = emptyWindow();
    return taken;
  }

  stop(): void {
    clearInterval(this.timer);
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  /** Reads the WAL index now (the timer does it every {@link SAMPLE_EVERY_MS} ms once started). */
  sample(): void {
    if (this.fd === undefined || readSync(this.fd, this.buffer, 0, this.buffer.length, 0) < 132) return;
    const mxFrame = this.buffer.readUInt32LE(16);
    // The salts are kept as SQLite writes them in the WAL header: big-endian.
    const salt = this.buffer.readUInt32BE(32);
    const nBackfill = this.buffer.readUInt32LE(96);
    const w = this.window;
    if (this.last !== undefined) {
      const restarts = (salt - this.last.salt) >>> 0;
      w.restarts += restarts;
      w.framesAppended += restarts > 0 ? mxFrame : Math.max(0, mxFrame - this.last.mxFrame);
    }
    w.maxFrames = Math.max(w.maxFrames, mxFrame);
    w.maxBehind = Math.max(w.maxBehind, mxFrame - Math.min(nBackfill, mxFrame));
    this.last = { mxFrame, salt };
  }
}

function emptyWindow(): WalWindow {
  return { framesAppended: 0, restarts: 0, maxFrames: 0, maxBehind: 0 };
}
