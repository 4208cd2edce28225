import type { Statement } from 'better-sqlite3';
import type { Reading } from '#src/contracts/reading.js';
import { MERGE_READING_ON_CONFLICT } from '../reading-merge.sql.js';

/** Numeric columns of a row, in table order after the text ones: NaN stands for NULL. */
export const ROW_NUMBERS = 16;
/** Text columns of a row: container, device, shipment ('' for none), source. */
export const ROW_TEXTS = 4;

/**
 * Rows of the `readings` table in the shape that crosses threads cheaply: the numbers of every row
 * in one typed array (copied as one block), the texts of every row in one string with the end of
 * each ({@link textsOf} cuts them out again, on the store thread). Cloning one array of twenty
 * mixed values a row took more of the main thread than the inserts it moved off it; one string
 * instead of four a row is one copy: 0.22 → 0.17 µs of CPU a row for building, sending and
 * receiving a batch (both threads).
 */
export interface ReadingRows {
  rows: number;
  numbers: Float64Array;
  /** Container, device, shipment ('' for none) and source of every row, one after the other. */
  texts: string;
  /** End of each text in `texts`, in UTF-16 code units: {@link ROW_TEXTS} a row. */
  textEnds: Uint32Array;
}

/**
 * Inserts a reading, merged field by field into a row already stored at its key
 * (reading-merge.sql.ts). Ingestion drops repeats and refuses other values at a kept instant
 * (ReadingDedupe) while it remembers the instant; what reaches this merge is a replay after a
 * restart (the same values), or a conflict older than that memory.
 */
export const INSERT_READING_SQL = `INSERT INTO readings VALUES (
  ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ${MERGE_READING_ON_CONFLICT}`;

/** Collects rows of readings, growing its buffer as needed; `take` hands them over and starts afresh. */
export class ReadingRowsBuilder {
  private numbers = new Float64Array(256 * ROW_NUMBERS);
  private texts: string[] = [];
  private count = 0;

  get rows(): number {
    return this.count;
  }

  add(r: Reading): void {
    if ((this.count + 1) * ROW_NUMBERS > this.numbers.length) {
      const grown = new Float64Array(this.numbers.length * 2);
      grown.set(this.numbers);
      this.numbers = grown;
    }
    const n = this.numbers;
    const q = r.quality;
    let i = this.count * ROW_NUMBERS;
    n[i++] = r.measuredAt;
    n[i++] = r.receivedAt;
    n[i++] = r.temperatureC ?? NaN;
    n[i++] = r.humidityPct ?? NaN;
    n[i++] = r.shockG ?? NaN;
    n[i++] = r.lat ?? NaN;
    n[i++] = r.lon ?? NaN;
    n[i++] = r.altM ?? NaN;
    n[i++] = r.batteryPct ?? NaN;
    n[i++] = r.doorOpen === undefined ? NaN : r.doorOpen ? 1 : 0;
    n[i++] = q.fCnt ?? NaN;
    n[i++] = q.gateways ?? NaN;
    n[i++] = q.rssi ?? NaN;
    n[i++] = q.snr ?? NaN;
    n[i++] = q.lagMs;
    n[i] = q.late ? 1 : 0;
    this.texts.push(r.containerId, r.deviceId, r.shipmentId ?? '', r.source);
    this.count++;
  }

  /** The rows collected so far (their numbers in a buffer of their own; the builder starts afresh). */
  take(): ReadingRows {
    const texts = this.texts;
    const textEnds = new Uint32Array(texts.length);
    let end = 0;
    for (let i = 0; i < texts.length; i++) textEnds[i] = end += texts[i].length;
    const rows: ReadingRows = {
      rows: this.count,
      numbers: this.numbers.slice(0, this.count * ROW_NUMBERS),
      texts: texts.join(''),
      textEnds,
    };
    this.texts = [];
    this.count = 0;
    return rows;
  }
}

/** The texts of the rows, {@link ROW_TEXTS} a row, cut out of the one string they crossed in. */
export function textsOf({ texts, textEnds }: ReadingRows): string[] {
  const out = new Array<string>(textEnds.length);
  let start = 0;
  for (let i = 0; i < textEnds.length; i++) {
    out[i] = texts.slice(start, textEnds[i]);
    start = textEnds[i];
  }
  return out;
}

/** NaN (a missing value) as SQL NULL. */
const orNull = (v: number): number | null => (Number.isNaN(v) ? null : v);

/** Inserts rows `[from, to)` with the {@link INSERT_READING_SQL} statement; `t`: {@link textsOf} the rows. */
export function insertReadingRows(
  insert: Statement<(string | number | null)[]>,
  n: Float64Array,
  t: readonly string[],
  from: number,
  to: number,
): void {
  for (let row = from; row < to; row++) {
    const i = row * ROW_NUMBERS;
    const s = row * ROW_TEXTS;
    insert.run(
      t[s],
      n[i],
      t[s + 1],
      n[i + 1],
      t[s + 2] === '' ? null : t[s + 2],
      t[s + 3],
      orNull(n[i + 2]),
      orNull(n[i + 3]),
      orNull(n[i + 4]),
      orNull(n[i + 5]),
      orNull(n[i + 6]),
      orNull(n[i + 7]),
      orNull(n[i + 8]),
      orNull(n[i + 9]),
      orNull(n[i + 10]),
      orNull(n[i + 11]),
      orNull(n[i + 12]),
      orNull(n[i + 13]),
      n[i + 14],
      n[i + 15],
    );
  }
}
