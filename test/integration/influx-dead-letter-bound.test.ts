import assert from 'node:assert/strict';
import { ConsoleLogger, Logger } from '@nestjs/common';
import { after, before, describe, it } from 'node:test';
import { OutboxService } from '#src/telemetry/influx/outbox.service.js';
import { influxSkipReason } from '#test/support/influx/influx-availability.js';
import {
  counterValue,
  influxTestConfig,
  makeReading,
  openWriter,
  startInfluxStack,
  tempDataDir,
  type InfluxStack,
} from '#test/support/influx/influx-fixture.js';
import { STORE_DIALECTS, databaseUrlPerTest } from '#test/support/store-dialects.js';
import { waitFor } from '#test/support/wait-for.js';

/** Keeps the error lines Nest's loggers write; the rest is noise here. */
class ErrorCapture extends ConsoleLogger {
  readonly errors: string[] = [];
  override log(): void {}
  override warn(): void {}
  override error(...args: unknown[]): void {
    this.errors.push(args.filter((a) => typeof a === 'string').join(' '));
  }
}

for (const dialect of STORE_DIALECTS)
  describe(
    `bounded InfluxDB dead letters (${OutboxService.name}, in ${dialect})`,
    { skip: influxSkipReason('influx-dead-letters') },
    () => {
      let stack: InfluxStack;
      const data = tempDataDir();
      const nextUrl = databaseUrlPerTest(dialect);
      const log = new ErrorCapture();

      before(async () => {
        stack = await startInfluxStack();
        Logger.overrideLogger(log);
      });
      after(async () => {
        Logger.overrideLogger(new ConsoleLogger());
        await stack?.close();
        data.remove();
      });

      it('drops the oldest letters past INFLUX_DEAD_LETTER_MAX_LINES, counted and logged as an error', async () => {
        const h = await openWriter(
          influxTestConfig(stack.proxy.url, `${data.dir}/bound`, {
            INFLUX_DEAD_LETTER_MAX_LINES: 1000,
            DATABASE_URL: await nextUrl(),
          }),
        );
        const service = new OutboxService(h.writer, h.config, h.metrics);
        stack.proxy.set({ kind: 'status', status: 400, body: '{"error":"bad"}' });
        for (let b = 0; b < 6; b++) {
          h.writer.write(
            Array.from({ length: 500 }, (_, i) => makeReading(b * 500 + i, { containerId: 'C-DEAD' })),
          );
          await h.writer.flush();
        }
        const letters = (await service.overview(100)).deadLetters;
        assert.deepEqual(
          letters.map((l) => l.lineCount),
          [500, 500],
          'the 1000 newest lines are kept',
        );
        assert.match(
          letters[0].sample[0],
          new RegExp(` ${makeReading(2000).measuredAt}$`),
          'the oldest went first',
        );
        assert.equal(await counterValue(h.metrics, 'convoi_influx_dead_letters_dropped_lines_total'), 2000);
        assert.equal(await counterValue(h.metrics, 'convoi_influx_points_dead_lettered_total'), 3000);
        const full = log.errors.filter((e) => e.includes('DEAD LETTERS FULL'));
        assert.equal(full.length, 4, 'one error per drop');
        assert.match(
          full[0],
          /INFLUX_DEAD_LETTER_MAX_LINES=1000\): DROPPED the 500 oldest lines \(1 letters/,
        );

        // A replayed letter leaves the dead letters, so it makes room rather than dropping another.
        stack.proxy.set({ kind: 'pass' });
        await service.replayDeadLetter(letters[0].id);
        await h.writer.flush();
        assert.equal((await service.overview(100)).deadLetters.length, 1);
        await h.shutdown();
      });

      it('trims letters kept from before a restart with a lower bound', async () => {
        const dir = `${data.dir}/restart`;
        const url = await nextUrl();
        const first = await openWriter(
          influxTestConfig(stack.proxy.url, dir, { INFLUX_DEAD_LETTER_MAX_LINES: 5000, DATABASE_URL: url }),
        );
        new OutboxService(first.writer, first.config, first.metrics);
        stack.proxy.set({ kind: 'status', status: 400 });
        for (let b = 0; b < 3; b++) {
          first.writer.write(
            Array.from({ length: 500 }, (_, i) => makeReading(b * 500 + i, { containerId: 'C-RST' })),
          );
          await first.writer.flush();
        }
        assert.equal(await first.writer.outbox.countDeadLetters(), 3);
        await first.shutdown();
        stack.proxy.set({ kind: 'pass' });

        const second = await openWriter(
          influxTestConfig(stack.proxy.url, dir, { INFLUX_DEAD_LETTER_MAX_LINES: 1000, DATABASE_URL: url }),
        );
        new OutboxService(second.writer, second.config, second.metrics);
        // On PostgreSQL the bound set after the start trims in the background.
        await waitFor(
          'the lower bound applied',
          async () => (await second.writer.outbox.countDeadLetters()) === 2,
        );
        assert.equal(
          await counterValue(second.metrics, 'convoi_influx_dead_letters_dropped_lines_total'),
          500,
        );
        await second.shutdown();
      });
    },
  );
