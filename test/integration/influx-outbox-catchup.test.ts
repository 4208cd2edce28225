import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
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
import { STORE_DIALECTS, databaseUrlPerTest } from '#test/support/store-dialects.js';

/** Readings per tick and tick length: 400 readings/s, flushed as the inbox does, a few at a time. */
const PER_TICK = 2;
const TICK_MS = 5;
const LIVE_MS = 1500;
const OUTAGE_MS = 6000;
/** Load after InfluxDB's return: the outbox must be empty before it ends. */
const AFTER_MS = 8000;

const countIn = async (stack: InfluxStack, container: string): Promise<number> => {
  const rows = await stack.influx.rows('SELECT count("temperatureC") FROM telemetry WHERE container = $c', {
    c: container,
  });
  return rows.length === 0 ? 0 : Number(rows[0].count);
};

// The outbox in the node's SQLite file, and in PostgreSQL (one queue for every node).
for (const dialect of STORE_DIALECTS)
  describe(
    `${InfluxTelemetryWriter.name} catching up after an outage (outbox in ${dialect})`,
    { skip: influxSkipReason('influx-outbox-catchup') },
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

      it('empties the outbox while readings keep arriving, in requests of many lines', async () => {
        const h = await openWriter(
          influxTestConfig(stack.proxy.url, `${data.dir}/catchup`, {
            INFLUX_BATCH_SIZE: 1000,
            DATABASE_URL: await nextUrl(),
          }),
        );
        const flushes: Promise<void>[] = [];
        let sent = 0;
        let returnedAt = 0;
        let linesAtReturn = 0;
        let drainedAt: number | undefined;
        const started = Date.now();
        const end = started + LIVE_MS + OUTAGE_MS + AFTER_MS;
        stack.proxy.set({ kind: 'pass' });
        while (Date.now() < end) {
          const elapsed = Date.now() - started;
          if (elapsed >= LIVE_MS && elapsed < LIVE_MS + OUTAGE_MS) stack.proxy.set({ kind: 'cut' });
          else if (elapsed >= LIVE_MS + OUTAGE_MS && returnedAt === 0) {
            stack.proxy.set({ kind: 'pass' });
            returnedAt = Date.now();
            linesAtReturn = h.writer.status().outboxLines;
          }
          const batch = Array.from({ length: PER_TICK }, (_, k) =>
            makeReading(sent + k, { containerId: 'C-CATCH', deviceId: `D${(sent + k) % 10}` }),
          );
          sent += PER_TICK;
          h.writer.write(batch);
          // The inbox flushes after each batch and goes on without waiting for the store.
          flushes.push(h.writer.flush());
          if (returnedAt > 0 && drainedAt === undefined && h.writer.status().outboxBatches === 0) {
            drainedAt = Date.now();
          }
          await delay(TICK_MS);
        }
        await Promise.all(flushes);
        assert.ok(linesAtReturn > 1000, `the outage filled the outbox (${linesAtReturn} lines)`);
        assert.ok(
          drainedAt !== undefined,
          `the outbox emptied while the load went on (${h.writer.status().outboxLines} lines left)`,
        );
        const replays = stack.proxy.requests.filter(
          (r) => r.path.startsWith('/api/v2/write') && r.at >= returnedAt && r.at <= (drainedAt ?? 0),
        ).length;
        assert.ok(
          replays * 20 <= linesAtReturn,
          `${replays} requests replayed ${linesAtReturn} lines: replay must send large batches`,
        );
        await waitFor('an empty outbox', () => h.writer.isHealthy());
        await waitFor('every reading in InfluxDB', async () => (await countIn(stack, 'C-CATCH')) === sent);
        const status = h.writer.status();
        assert.equal(status.state, 'up');
        assert.equal(status.lastError, undefined, 'no stale error once InfluxDB takes writes again');
        await h.shutdown();
      });

      it('keeps INFLUX_MAX_IN_FLIGHT replays going: one slow answer does not hold the rows behind it', async () => {
        const dir = `${data.dir}/window`;
        const config = influxTestConfig(stack.proxy.url, dir, {
          INFLUX_BATCH_SIZE: 1,
          INFLUX_MAX_IN_FLIGHT: 4,
          DATABASE_URL: await nextUrl(),
        });
        // A first life leaves eight one-line rows in the outbox (InfluxDB answered 503).
        stack.proxy.set({ kind: 'status', status: 503 });
        const first = await openWriter(config);
        for (let i = 0; i < 8; i++) {
          first.writer.write([makeReading(i, { containerId: 'C-WINDOW' })]);
          await first.writer.flush();
        }
        assert.equal(first.writer.status().outboxBatches, 8);
        await first.shutdown();
        // The next life replays them; the answer to its first request (the head row) comes late.
        const HELD_MS = 4000;
        stack.proxy.set({ kind: 'delay', ms: HELD_MS }, 1);
        const opened = Date.now();
        const second = await openWriter(config);
        await waitFor(
          'the seven rows behind the held one to be written while it is held',
          () => second.writer.status().outboxBatches === 1,
          HELD_MS - 1000,
        );
        assert.ok(Date.now() - opened < HELD_MS, 'written before the held answer came');
        await waitFor('an empty outbox', () => second.writer.isHealthy());
        assert.equal(await countIn(stack, 'C-WINDOW'), 8);
        await second.shutdown();
      });

      it('dead-letters only the row of a refused line when rows are replayed together', async () => {
        const h = await openWriter(
          influxTestConfig(stack.proxy.url, `${data.dir}/merged-400`, { DATABASE_URL: await nextUrl() }),
        );
        const t0 = Date.UTC(2020, 0, 13); // a shard of its own, so the conflict touches no other test
        // Make batteryPct a string field in that shard: our float then conflicts.
        const seed = await fetch(`${stack.influx.url}/write?db=telemetry&precision=ms`, {
          method: 'POST',
          body: `telemetry,container=C-SEED,device=D1 batteryPct="x" ${t0}`,
        });
        assert.equal(seed.status, 204);
        const row = (from: number, battery?: number) =>
          [0, 1, 2].map((i) =>
            makeReading(from + i, {
              containerId: 'C-MERGE',
              measuredAt: t0 + (from + i) * 1000,
              batteryPct: i === 1 ? battery : undefined,
            }),
          );
        // InfluxDB answers 503: the three flushes wait in the outbox as three rows.
        stack.proxy.set({ kind: 'status', status: 503 });
        for (const batch of [row(1), row(4, 50), row(7)]) {
          h.writer.write(batch);
          await h.writer.flush();
        }
        assert.deepEqual([h.writer.status().outboxBatches, h.writer.status().outboxLines], [3, 9]);
        stack.proxy.set({ kind: 'pass' });
        h.writer.wake();
        await waitFor('an empty outbox', () => h.writer.isHealthy());
        const dead = await h.writer.outbox.listDeadLetters(10);
        assert.deepEqual(
          dead.map((d) => [d.status, d.lineCount]),
          [[400, 3]],
          'one dead letter: the refused line with the two written beside it',
        );
        assert.match(dead[0].reason, /partial write: field type conflict/);
        const rows = await stack.influx.rows('SELECT temperatureC FROM telemetry WHERE container = $c', {
          c: 'C-MERGE',
        });
        assert.deepEqual(
          rows.map((r) => (Number(r.time) - t0) / 1000),
          [1, 2, 3, 4, 6, 7, 8, 9],
          'every line but the refused one is written',
        );
        await h.shutdown();
      });

      it('splits merged rows on a 422 too (a partial write of InfluxDB 2.x), refusing only the row', async () => {
        const h = await openWriter(
          influxTestConfig(stack.proxy.url, `${data.dir}/merged-422`, { DATABASE_URL: await nextUrl() }),
        );
        stack.proxy.set({ kind: 'status', status: 503 });
        for (const from of [1, 4, 7]) {
          h.writer.write([0, 1, 2].map((i) => makeReading(from + i, { containerId: 'C-422' })));
          await h.writer.flush();
        }
        assert.equal(h.writer.status().outboxBatches, 3);
        // The merged request, its first half and then the first row alone are refused.
        stack.proxy.set({ kind: 'status', status: 422, body: '{"code":"unprocessable entity"}' }, 3);
        h.writer.wake();
        await waitFor('an empty outbox', () => h.writer.isHealthy());
        assert.deepEqual(
          (await h.writer.outbox.listDeadLetters(10)).map((d) => [d.status, d.lineCount]),
          [[422, 3]],
        );
        assert.equal(await countIn(stack, 'C-422'), 6, 'the other two rows are written');
        await h.shutdown();
      });
    },
  );
