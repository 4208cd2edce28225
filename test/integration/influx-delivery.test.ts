import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { InfluxDelivery } from '#src/telemetry/influx/influx-delivery.js';
import { readingToLine } from '#src/telemetry/influx/influx-line-protocol.js';
import { influxSkipReason } from '#test/support/influx/influx-availability.js';
import {
  influxTestConfig,
  makeReading,
  startInfluxStack,
  tempDataDir,
  type InfluxStack,
} from '#test/support/influx/influx-fixture.js';

describe(InfluxDelivery.name, { skip: influxSkipReason('influx-delivery') }, () => {
  let stack: InfluxStack;
  const data = tempDataDir();
  const problems = { skippedField: () => undefined, skippedPoint: () => undefined };
  const linesOf = (container: string) =>
    Array.from({ length: 200 }, (_, i) =>
      readingToLine(makeReading(i, { containerId: container, temperatureC: i / 10 }), problems)!,
    );
  const stored = async (container: string) =>
    (
      await stack.influx.rows('SELECT count("temperatureC") FROM telemetry WHERE container = $c', {
        c: container,
      })
    )[0]?.count;

  before(async () => {
    stack = await startInfluxStack();
  });
  after(async () => {
    await stack?.close();
    data.remove();
  });

  it('sends bodies as they are to an InfluxDB on loopback, and gzipped as to a remote one, both stored', async () => {
    const config = influxTestConfig(stack.proxy.url, data.dir);
    const plain = await new InfluxDelivery(config, Date.now).deliver(linesOf('C-PLAIN'));
    const gzipped = await new InfluxDelivery(config, Date.now, 'always').deliver(linesOf('C-GZIP'));
    assert.deepEqual(
      [plain, gzipped].map((parts) => parts.map((p) => p.outcome.kind)),
      [['written'], ['written']],
    );
    const writes = stack.proxy.requests.filter((r) => r.path.startsWith('/api/v2/write'));
    assert.deepEqual(
      writes.map((r) => r.contentEncoding),
      [undefined, 'gzip'],
    );
    assert.equal(await stored('C-PLAIN'), 200);
    assert.equal(await stored('C-GZIP'), 200);
  });
});
