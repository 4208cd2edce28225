import type { ReadingRows } from '../reading-row.js';

/** What the main thread tells the telemetry store thread. */
export type ToTelemetryStore =
  /** Rows to store; `seq` counts batches from 1, in order. */
  { kind: 'rows'; seq: number; batch: ReadingRows } | { kind: 'close' };

/** What the telemetry store thread tells the main thread. */
export type FromTelemetryStore =
  /** Batch `seq` (and every one before it) is stored; one duration per transaction, seconds. */
  | { kind: 'stored'; seq: number; rows: number; transactionSeconds: number[] }
  /** Batch `seq` could not be stored; it is retried, and so are the ones behind it. */
  | { kind: 'failed'; seq: number; error: string };

export interface TelemetryStoreSettings {
  /** The SQLite file holding the `readings` table (migrated by the main thread before start). */
  file: string;
}
