import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { InfluxTelemetryWriter } from '#src/telemetry/influx/influx-telemetry.writer.js';
import { influxSkipReason } from '#test/support/influx/influx-availability.js';
import {
  counterValue,
  influxTestConfig,
  makeReading,
  openWriter,
  startInfluxStack,
  tempDataDir,
  waitFor,
  type InfluxStack,
} from '#test/support/influx/influx-fixture.js';
import { STORE_DIALECTS, databaseUrlPerTest } from '#test/support/store-dialects.js';

const TOTAL = 10_000;
const DEVICES = 10;
const CHUNK = 100;

// The outbox in the node's SQLite file, and in PostgreSQL (one queue for every node).
for (const dialect of STORE_DIALECTS)
  describe(
    `${InfluxTelemetryWriter.name} through an InfluxDB outage (outbox in ${dialect})`,
    { skip: influxSkipReason('influx-outage') },
    () => {
      let stack: InfluxStack;
      const data = tempDataDir();
      const nextUrl = databaseUrlPerTest(dialect);

      before(async () => {
        stack = await startInfluxStack();
      });
      after(async () => {
        await stack?.close();
        data.remove();
      });

      it('loses none of 10,000 readings written while influxd is stopped and restarted, and doubles none', async () => {
        const h = await openWriter(
          influxTestConfig(stack.shim.url, data.dir, { DATABASE_URL: await nextUrl() }),
        );
        const reading = (i: number) =>
          makeReading(Math.floor(i / DEVICES), {
            containerId: 'C-OUT',
            deviceId: `D${i % DEVICES}`,
            temperatureC: (i % 40) / 4,
          });
        let outboxSeen = 0;
        for (let i = 0; i < TOTAL; i += CHUNK) {
          if (i === 3000) await stack.influx.stop();
          if (i === 7000) await stack.influx.start();
          h.writer.write(Array.from({ length: CHUNK }, (_, k) => reading(i + k)));
          outboxSeen = Math.max(outboxSeen, h.writer.status().outboxLines);
          // Pace the producer like a live fleet, so writes keep coming during the outage.
          await delay(5);
        }
        await h.writer.flush();
        assert.ok(outboxSeen > 0, 'the outage sent batches to the outbox');
        assert.ok((await counterValue(h.metrics, 'convoi_influx_write_failures_total')) > 0);

        await waitFor('the outbox to drain', () => h.writer.isHealthy(), 30_000);
        const rows = await stack.influx.rows(
          'SELECT "device", "temperatureC" FROM telemetry WHERE container = $c',
          {
            c: 'C-OUT',
          },
        );
        assert.equal(rows.length, TOTAL);
        const seen = new Set(rows.map((r) => `${String(r.device)}@${String(r.time)}`));
        assert.equal(seen.size, TOTAL, 'no point twice');
        for (let i = 0; i < TOTAL; i++) {
          const r = reading(i);
          assert.ok(seen.has(`${r.deviceId}@${r.measuredAt}`), `reading ${i} present with its timestamp`);
        }
        const times = rows.map((r) => r.time as number);
        assert.deepEqual(
          times,
          [...times].sort((a, b) => a - b),
        );
        const temps = await stack.influx.rows(
          'SELECT "temperatureC" FROM telemetry WHERE container = $c AND device = $d AND time = $t',
          { c: 'C-OUT', d: 'D3', t: new Date(reading(4243).measuredAt).toISOString() },
        );
        assert.deepEqual(temps, [
          { time: reading(4243).measuredAt, temperatureC: reading(4243).temperatureC },
        ]);
        await h.shutdown();
      });
    },
  );
