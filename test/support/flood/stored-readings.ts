import BetterSqlite3 from 'better-sqlite3';
import { join } from 'node:path';
import { TELEMETRY_FILE } from '#src/telemetry/embedded/telemetry-database.js';

/**
 * measuredAt of every reading of `deviceId` in the embedded time-series store, in [from, to),
 * read from DATA_DIR/telemetry.sqlite through a read-only connection (WAL lets it read beside the
 * running platform). One entry per stored row: a reading stored twice would appear twice.
 */
export function storedMeasuredAt(dataDir: string, deviceId: string, from: number, to: number): number[] {
  const db = new BetterSqlite3(join(dataDir, TELEMETRY_FILE), { readonly: true });
  try {
    return db
      .prepare<[string, number, number], { measured_at: number }>(
        'SELECT measured_at FROM readings WHERE device_id = ? AND measured_at >= ? AND measured_at < ?',
      )
      .all(deviceId, from, to)
      .map((r) => r.measured_at);
  } finally {
    db.close();
  }
}
