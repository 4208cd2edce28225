import type { Database, Statement } from 'better-sqlite3';
import { INSERT_READING_SQL, insertReadingRows, textsOf, type ReadingRows } from './reading-row.js';

/**
 * Most readings per transaction: a few milliseconds of inserts, so that the other connection
 * writing to the same file (the main thread's stores) never waits long for the write lock.
 */
export const WRITE_CHUNK_READINGS = 500;

/** Writes rows of readings through one connection, in transactions of {@link WRITE_CHUNK_READINGS}. */
export class ReadingRowsWriter {
  private readonly insert: Statement<(string | number | null)[]>;
  private readonly chunk: (numbers: Float64Array, texts: readonly string[], from: number, to: number) => void;

  constructor(db: Database) {
    this.insert = db.prepare<(string | number | null)[]>(INSERT_READING_SQL);
    this.chunk = db.transaction((numbers: Float64Array, texts: readonly string[], from: number, to: number) =>
      insertReadingRows(this.insert, numbers, texts, from, to),
    );
  }

  /**
   * Stores every row; returns each transaction's duration, seconds. Throws what
   * SQLite threw: the chunks before it are stored, and storing the batch again is harmless
   * (a row is merged into the one with its key, to the same values).
   */
  write(batch: ReadingRows): number[] {
    const seconds: number[] = [];
    const texts = textsOf(batch);
    for (let from = 0; from < batch.rows; from += WRITE_CHUNK_READINGS) {
      const started = performance.now();
      this.chunk(batch.numbers, texts, from, Math.min(batch.rows, from + WRITE_CHUNK_READINGS));
      seconds.push((performance.now() - started) / 1000);
    }
    return seconds;
  }
}
