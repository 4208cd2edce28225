import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { AppConfig } from '#src/app-settings.js';
import { defaultConfig } from '#src/app-settings.js';
import { SqliteDatabase } from '#src/storage/sqlite-database.js';
import { EMBEDDED_TELEMETRY_MIGRATIONS } from './embedded-telemetry.migrations.js';
import { moveLegacyTelemetry } from './legacy-telemetry.js';
import { TelemetryDatabase } from './telemetry-database.js';

const tables = (db: { prepare: SqliteDatabase['connection']['prepare'] }) =>
  (
    db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('readings', 'alert_events')")
      .all() as { name: string }[]
  ).map((t) => t.name);

describe(moveLegacyTelemetry.name, () => {
  let dir: string;
  let config: AppConfig;
  let main: SqliteDatabase;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'legacy-telemetry-'));
    config = defaultConfig({ DATA_DIR: dir });
    main = new SqliteDatabase(config);
    // convoi.sqlite as an older convoi left it: the time series in it.
    main.migrate('telemetry-embedded', EMBEDDED_TELEMETRY_MIGRATIONS);
    const reading = main.connection.prepare(
      `INSERT INTO readings (container_id, measured_at, device_id, received_at, source, temperature_c, lag_ms, late)
       VALUES (?, ?, 'D1', ?, 'json', 4.5, 0, 0)`,
    );
    for (let i = 0; i < 3; i++) reading.run('C1', 1000 + i, 1000 + i);
    main.connection
      .prepare(
        "INSERT INTO alert_events VALUES ('C1', 1001, 'A1', 'opened', 'r', 'warning', 'active', 9, 'm')",
      )
      .run();
  });

  afterEach(async () => {
    await main.onApplicationShutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  it('moves readings and alert events into telemetry.sqlite and drops them from convoi.sqlite', async () => {
    const telemetry = new TelemetryDatabase(config, main);
    try {
      const rows = telemetry.connection
        .prepare('SELECT container_id, measured_at, temperature_c FROM readings ORDER BY measured_at')
        .all();
      assert.deepEqual(rows, [
        { container_id: 'C1', measured_at: 1000, temperature_c: 4.5 },
        { container_id: 'C1', measured_at: 1001, temperature_c: 4.5 },
        { container_id: 'C1', measured_at: 1002, temperature_c: 4.5 },
      ]);
      assert.equal(telemetry.connection.prepare('SELECT count(*) AS n FROM alert_events').pluck().get(), 1);
      assert.deepEqual(tables(main.connection), []);
      assert.equal(moveLegacyTelemetry(main.connection, telemetry.file), 0, 'nothing left to move');
    } finally {
      await telemetry.onApplicationShutdown();
    }
  });

  it('keeps what the time-series file already holds when a move is repeated after a crash', async () => {
    const telemetry = new TelemetryDatabase(defaultConfig({ DATA_DIR: dir }), main);
    try {
      // The copy happened, the old tables came back (a crash before the drop took effect).
      main.migrate('telemetry-embedded', EMBEDDED_TELEMETRY_MIGRATIONS);
      main.connection
        .prepare(
          `INSERT INTO readings (container_id, measured_at, device_id, received_at, source, lag_ms, late)
           VALUES ('C1', 1000, 'D1', 1, 'json', 0, 0)`,
        )
        .run();
      assert.equal(moveLegacyTelemetry(main.connection, telemetry.file), 0);
      assert.equal(telemetry.connection.prepare('SELECT count(*) AS n FROM readings').pluck().get(), 3);
      assert.equal(
        telemetry.connection
          .prepare('SELECT temperature_c FROM readings WHERE measured_at = 1000')
          .pluck()
          .get(),
        4.5,
        'the row already moved is kept',
      );
      assert.deepEqual(tables(main.connection), []);
    } finally {
      await telemetry.onApplicationShutdown();
    }
  });
});
