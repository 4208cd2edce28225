import assert from 'node:assert/strict';
import type { LoggerService } from '@nestjs/common';
import { after, before, describe, it } from 'node:test';
import { deviceTelemetryTopic } from '#src/contracts/topics.js';
import { InfluxTelemetryWriter } from '#src/telemetry/influx/influx-telemetry.writer.js';
import { influxSkipReason } from '#test/support/influx/influx-availability.js';
import { startInfluxStack, type InfluxStack } from '#test/support/influx/influx-fixture.js';
import { startTestApp } from '#test/support/test-app.js';

/** Keeps the lines of every level, to count what shutdown logs: the sentence, then its fields. */
class CapturingLogger implements LoggerService {
  readonly lines: string[] = [];
  log(m: unknown, ...rest: unknown[]) {
    this.keep(m, rest);
  }
  error(m: unknown, ...rest: unknown[]) {
    this.keep(m, rest);
  }
  warn(m: unknown, ...rest: unknown[]) {
    this.keep(m, rest);
  }
  private keep(m: unknown, rest: unknown[]) {
    this.lines.push(typeof m === 'string' ? m : `${String(rest[0])} ${JSON.stringify(m)}`);
  }
}

describe(
  `${InfluxTelemetryWriter.name} at shutdown of the app`,
  { skip: influxSkipReason('influx-shutdown') },
  () => {
    let stack: InfluxStack;

    before(async () => {
      stack = await startInfluxStack();
    });
    after(async () => {
      await stack?.close();
    });

    it('stops once: the shutdown hooks run a single time, the outbox is reported once', async () => {
      const logs = new CapturingLogger();
      const app = await startTestApp({
        logger: logs,
        env: { INFLUX_URL: stack.proxy.url, INFLUX_BUCKET: 'telemetry/autogen', LOG_LEVEL: 'log' },
      });
      const device = await app.mqtt({ clientId: 'sensor-pal-7001' });
      const ts = Date.UTC(2020, 1, 3, 12);
      await device.publishAsync(
        deviceTelemetryTopic('sensor-pal-7001'),
        JSON.stringify({ ts, temperature: 4.5 }),
        {
          qos: 1,
        },
      );
      await app.close();
      const stopped = logs.lines.filter((l) => l.startsWith('InfluxDB writer stopped'));
      assert.deepEqual(stopped, ['InfluxDB writer stopped {"outboxLines":0}']);
      const rows = await stack.influx.rows('SELECT "temperatureC" FROM telemetry WHERE time = $t', {
        t: new Date(ts).toISOString(),
      });
      assert.equal(rows.length, 1, 'the reading was flushed before the stores closed');
    });
  },
);
