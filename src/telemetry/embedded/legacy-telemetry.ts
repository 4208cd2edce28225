import type { Database } from 'better-sqlite3';

/** Tables of the embedded time series that older versions kept in convoi.sqlite. */
const MOVED_TABLES = ['readings', 'alert_events'] as const;

/**
 * Moves the readings and alert events an older convoi kept in convoi.sqlite into the time-series
 * file, once, at start. Copied first (rows already there are kept), the old tables dropped after,
 * per file: a crash in between copies again next time, which changes nothing.
 * Returns the number of rows moved.
 */
export function moveLegacyTelemetry(main: Database, telemetryFile: string): number {
  const left = MOVED_TABLES.filter(
    (table) =>
      main.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table) !== undefined,
  );
  if (left.length === 0) return 0;
  main.prepare('ATTACH DATABASE ? AS telemetry').run(telemetryFile);
  try {
    return main.transaction(() => {
      let moved = 0;
      for (const table of left) {
        moved += main
          .prepare(`INSERT OR IGNORE INTO telemetry.${table} SELECT * FROM main.${table}`)
          .run().changes;
        main.exec(`DROP TABLE main.${table}`);
      }
      main.prepare("DELETE FROM main.schema_migrations WHERE scope = 'telemetry-embedded'").run();
      return moved;
    })();
  } finally {
    main.exec('DETACH DATABASE telemetry');
  }
}
