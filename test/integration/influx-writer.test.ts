import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
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

const count = async (stack: InfluxStack, container: string): Promise<number> => {
  const rows = await stack.influx.rows(
    'SELECT count("temperatureC") AS n FROM telemetry WHERE container = $c',
    {
      c: container,
    },
  );
  return (rows[0]?.n as number | undefined) ?? 0;
};

describe(InfluxTelemetryWriter.name, { skip: influxSkipReason('influx-writer') }, () => {
  let stack: InfluxStack;
  const data = tempDataDir();

  before(async () => {
    stack = await startInfluxStack();
  });
  after(async () => {
    await stack?.close();
    data.remove();
  });

  const open = (name: string, overrides = {}) =>
    openWriter(influxTestConfig(stack.proxy.url, `${data.dir}/${name}`, overrides));

  it('writes a reading with exactly the schema: measurement, tags, typed fields, ms timestamp', async () => {
    const h = await open('schema');
    const reading = makeReading(1, {
      containerId: 'C-SCHEMA',
      deviceId: 'D-7',
      shipmentId: 'S-1',
      source: 'chirpstack',
      temperatureC: 3.5,
      humidityPct: 61,
      shockG: 0.4,
      lat: 48.8566,
      lon: 2.3522,
      altM: 35,
      batteryPct: 88,
      doorOpen: false,
      quality: { fCnt: 42, fPort: 85, gateways: 2, rssi: -97, snr: 7.5, lagMs: 1200, late: false },
    });
    reading.measuredAt += 123; // a timestamp that is not on a second boundary
    h.writer.write([reading]);
    await h.writer.flush();
    const tagKeys = await stack.influx.rows('SHOW TAG KEYS FROM telemetry');
    assert.deepEqual(
      tagKeys.map((r) => r.tagKey),
      ['container', 'device'],
    );
    const fieldKeys = Object.fromEntries(
      (await stack.influx.rows('SHOW FIELD KEYS FROM telemetry')).map((r) => [r.fieldKey, r.fieldType]),
    );
    assert.deepEqual(fieldKeys, {
      altM: 'float',
      batteryPct: 'float',
      doorOpen: 'boolean',
      fCnt: 'integer',
      gateways: 'integer',
      humidityPct: 'float',
      lagMs: 'integer',
      lat: 'float',
      late: 'boolean',
      lon: 'float',
      receivedAt: 'integer',
      rssi: 'float',
      shipmentId: 'string',
      shockG: 'float',
      snr: 'float',
      source: 'string',
      temperatureC: 'float',
    });
    const rows = await stack.influx.rows('SELECT * FROM telemetry WHERE container = $c', { c: 'C-SCHEMA' });
    assert.deepEqual(rows, [
      {
        time: reading.measuredAt,
        container: 'C-SCHEMA',
        device: 'D-7',
        altM: 35,
        batteryPct: 88,
        doorOpen: false,
        fCnt: 42,
        gateways: 2,
        humidityPct: 61,
        lagMs: 1200,
        lat: 48.8566,
        late: false,
        lon: 2.3522,
        receivedAt: reading.receivedAt,
        rssi: -97,
        shipmentId: 'S-1',
        shockG: 0.4,
        snr: 7.5,
        source: 'chirpstack',
        temperatureC: 3.5,
      },
    ]);
    assert.equal(await counterValue(h.metrics, 'convoi_influx_points_written_total'), 1);
    await h.shutdown();
  });

  it('never writes NaN or Infinity, nor a point left without a measured value, and counts both', async () => {
    const h = await open('nan');
    h.writer.write([
      makeReading(1, { containerId: 'C-NAN', temperatureC: Number.NaN, humidityPct: 50 }),
      makeReading(2, { containerId: 'C-NAN', temperatureC: Number.POSITIVE_INFINITY }),
    ]);
    await h.writer.flush();
    const rows = await stack.influx.rows(
      'SELECT humidityPct, temperatureC FROM telemetry WHERE container = $c',
      {
        c: 'C-NAN',
      },
    );
    assert.deepEqual(rows, [{ time: makeReading(1).measuredAt, humidityPct: 50, temperatureC: null }]);
    assert.equal(await counterValue(h.metrics, 'convoi_influx_fields_skipped_total'), 2);
    assert.equal(await counterValue(h.metrics, 'convoi_influx_points_skipped_total'), 1);
    await h.shutdown();
  });

  it('writes alert events to the alert measurement', async () => {
    const h = await open('alert');
    const at = makeReading(5).measuredAt;
    h.writer.writeAlert({
      alertId: 'A-1',
      change: 'opened',
      containerId: 'C-AL',
      rule: 'temperature-high',
      severity: 'critical',
      status: 'active',
      acknowledged: false,
      value: 9.5,
      message: 'Temperature 9.5 "°C" above 8',
      at,
    });
    await h.writer.flush();
    const rows = await stack.influx.rows('SELECT * FROM alert WHERE container = $c', { c: 'C-AL' });
    assert.deepEqual(rows, [
      {
        time: at,
        acknowledged: false,
        alertId: 'A-1',
        change: 'opened',
        container: 'C-AL',
        message: 'Temperature 9.5 "°C" above 8',
        rule: 'temperature-high',
        severity: 'critical',
        status: 'active',
        value: 9.5,
      },
    ]);
    await h.shutdown();
  });

  it('honours Retry-After: 2 as two seconds, keeping the batch in the outbox meanwhile', async () => {
    const h = await open('retry-after');
    const before = stack.proxy.requests.length;
    stack.proxy.set({ kind: 'status', status: 503, retryAfter: '2' }, 1);
    h.writer.write([1, 2, 3, 4, 5].map((i) => makeReading(i, { containerId: 'C-RA' })));
    await h.writer.flush();
    assert.equal(h.writer.status().state, 'degraded');
    assert.equal(h.writer.status().outboxLines, 5);
    await waitFor('the replay', async () => (await count(stack, 'C-RA')) === 5, 10_000);
    const writes = stack.proxy.requests.slice(before).filter((r) => r.path.startsWith('/api/v2/write'));
    assert.equal(writes[0].fault, 'status');
    const gap = writes[1].at - writes[0].at;
    assert.ok(gap >= 1900 && gap < 4000, `second attempt after ${gap} ms, expected ~2000`);
    await waitFor('an empty outbox', () => h.writer.status().state === 'up');
    await h.shutdown();
  });

  it('dead-letters a 400 partial write with its reason, without losing the good lines', async () => {
    const h = await open('partial');
    const t0 = Date.UTC(2020, 0, 6); // a shard of its own, so the conflict touches no other test
    // Make batteryPct a string field in that shard: our float then conflicts.
    const seed = await fetch(`${stack.influx.url}/write?db=telemetry&precision=ms`, {
      method: 'POST',
      body: `telemetry,container=C-SEED,device=D1 batteryPct="x" ${t0}`,
    });
    assert.equal(seed.status, 204);
    const batch = [1, 2, 3].map((i) =>
      makeReading(i, {
        containerId: 'C-400',
        measuredAt: t0 + i * 1000,
        batteryPct: i === 2 ? 50 : undefined,
      }),
    );
    h.writer.write(batch);
    await h.writer.flush();
    const rows = await stack.influx.rows('SELECT temperatureC FROM telemetry WHERE container = $c', {
      c: 'C-400',
    });
    assert.deepEqual(
      rows.map((r) => r.time),
      [t0 + 1000, t0 + 3000],
    );
    const dead = await h.writer.outbox.listDeadLetters(10);
    assert.equal(dead.length, 1);
    assert.equal(dead[0].status, 400);
    assert.equal(dead[0].lineCount, 3);
    assert.match(dead[0].reason, /partial write: field type conflict/);
    assert.equal(await counterValue(h.metrics, 'convoi_influx_points_dead_lettered_total'), 3);
    assert.equal(h.writer.status().state, 'up', 'a refused batch is not retried forever');
    await h.shutdown();
  });

  it('splits a batch answered 413 and writes both halves', async () => {
    const h = await open('too-large');
    const before = stack.proxy.count('/api/v2/write');
    stack.proxy.set({ kind: 'status', status: 413 }, 1);
    h.writer.write(Array.from({ length: 10 }, (_, i) => makeReading(i, { containerId: 'C-413' })));
    await h.writer.flush();
    assert.equal(await count(stack, 'C-413'), 10);
    assert.equal(stack.proxy.count('/api/v2/write') - before, 3);
    assert.equal(await h.writer.outbox.countDeadLetters(), 0);
    await h.shutdown();
  });

  it('keeps batches through a cut connection and a timeout, then replays them', async () => {
    const h = await open('cut', { INFLUX_TIMEOUT_MS: 300 });
    stack.proxy.set({ kind: 'cut' }, 1);
    h.writer.write([1, 2, 3].map((i) => makeReading(i, { containerId: 'C-CUT' })));
    await h.writer.flush();
    await waitFor('the replay after a cut', async () => (await count(stack, 'C-CUT')) === 3);
    stack.proxy.set({ kind: 'delay', ms: 1000 }, 1);
    h.writer.write([4, 5].map((i) => makeReading(i, { containerId: 'C-CUT' })));
    await h.writer.flush();
    await waitFor('the replay after a timeout', async () => (await count(stack, 'C-CUT')) === 5);
    const failures = await counterValue(h.metrics, 'convoi_influx_write_failures_total');
    assert.ok(failures >= 5, `failures counted: ${failures}`);
    await h.shutdown();
  });

  it('drains a non-empty outbox after a restart of the writer on the same SQLite file', async () => {
    stack.proxy.set({ kind: 'status', status: 503 });
    const first = await open('restart');
    first.writer.write(Array.from({ length: 1000 }, (_, i) => makeReading(i, { containerId: 'C-RS' })));
    await first.writer.flush();
    await first.shutdown();
    assert.equal(first.writer.status().outboxLines, 1000);
    assert.equal(await count(stack, 'C-RS'), 0);
    stack.proxy.set({ kind: 'pass' });
    const second = await open('restart');
    assert.equal(second.writer.status().outboxLines, 1000);
    await waitFor('the outbox to drain', async () => (await count(stack, 'C-RS')) === 1000);
    await waitFor('an empty outbox', () => second.writer.isHealthy());
    await second.shutdown();
  });

  it('bounds the outbox by dropping the oldest batches, counted', async () => {
    stack.proxy.set({ kind: 'status', status: 503 });
    const h = await open('bound', { INFLUX_OUTBOX_MAX_LINES: 1000 });
    for (let b = 0; b < 6; b++) {
      h.writer.write(
        Array.from({ length: 500 }, (_, i) => makeReading(b * 500 + i, { containerId: 'C-BOUND' })),
      );
      await h.writer.flush();
    }
    assert.equal(h.writer.status().outboxLines, 1000);
    assert.equal(await counterValue(h.metrics, 'convoi_influx_outbox_dropped_lines_total'), 2000);
    stack.proxy.set({ kind: 'pass' });
    h.writer.wake();
    await waitFor('the outbox to drain', async () => (await count(stack, 'C-BOUND')) === 1000);
    const oldest = await stack.influx.rows(
      'SELECT first("temperatureC") FROM telemetry WHERE container = $c',
      {
        c: 'C-BOUND',
      },
    );
    assert.equal(oldest[0].time, makeReading(2000).measuredAt, 'the newest 1000 readings were kept');
    await h.shutdown();
  });
});
