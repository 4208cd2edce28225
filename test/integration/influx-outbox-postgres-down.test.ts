import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { InfluxTelemetryWriter } from '#src/telemetry/influx/influx-telemetry.writer.js';
import { influxSkipReason } from '#test/support/influx/influx-availability.js';
import {
  influxTestConfig,
  makeReading,
  openWriter,
  startInfluxStack,
  tempDataDir,
  waitFor,
  type InfluxStack,
} from '#test/support/influx/influx-fixture.js';
import { startPostgres, type PostgresServer } from '#test/support/postgres.js';

describe(
  `${InfluxTelemetryWriter.name} with InfluxDB and PostgreSQL both down`,
  { skip: influxSkipReason('influx-outbox-postgres-down') },
  () => {
    let stack: InfluxStack;
    let postgres: PostgresServer;
    const data = tempDataDir();

    before(async () => {
      stack = await startInfluxStack();
      postgres = await startPostgres();
    });
    after(async () => {
      await postgres?.stop();
      await stack?.close();
      data.remove();
    });

    it("keeps the batches in the node's SQLite file, and sends them once PostgreSQL and InfluxDB are back", async () => {
      const h = await openWriter(
        influxTestConfig(stack.proxy.url, data.dir, { DATABASE_URL: await postgres.createDatabase() }),
      );
      stack.proxy.set({ kind: 'status', status: 503 });
      await postgres.pause();
      h.writer.write(Array.from({ length: 50 }, (_, i) => makeReading(i, { containerId: 'C-PGDOWN' })));
      await h.writer.flush();
      const spilled = h.sqlite.connection.prepare('SELECT sum(line_count) AS n FROM influx_outbox').get() as {
        n: number;
      };
      assert.equal(spilled.n, 50, "the batch waits in the node's SQLite file");
      assert.equal(h.writer.status().outboxLines, 50);

      await postgres.resume();
      stack.proxy.set({ kind: 'pass' });
      await waitFor(
        'the lines in InfluxDB',
        async () => {
          const rows = await stack.influx.rows(
            'SELECT count("temperatureC") FROM telemetry WHERE container = $c',
            {
              c: 'C-PGDOWN',
            },
          );
          return rows.length > 0 && Number(rows[0].count) === 50;
        },
        20_000,
      );
      await waitFor('an empty outbox', () => h.writer.isHealthy(), 10_000);
      await h.shutdown();
    });
  },
);
