import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { InfluxRetentionCheck, parseInfluxDuration } from '#src/retention/influx-retention.check.js';
import { influxSkipReason } from '#test/support/influx/influx-availability.js';
import { influxTestConfig, tempDataDir } from '#test/support/influx/influx-fixture.js';
import { startInflux, type InfluxServer } from '#test/support/influx/influx-server.js';

describe(InfluxRetentionCheck.name, { skip: influxSkipReason('retention-influx-check') }, () => {
  let influx: InfluxServer;
  const dir = tempDataDir();
  before(async () => {
    influx = await startInflux();
    await influx.query('CREATE RETENTION POLICY "week" ON "telemetry" DURATION 7d REPLICATION 1');
    await influx.query('CREATE RETENTION POLICY "long" ON "telemetry" DURATION 500d REPLICATION 1');
  });
  after(async () => {
    await influx?.close();
    dir.remove();
  });

  const check = (bucket: string) =>
    new InfluxRetentionCheck(influxTestConfig(influx.url, dir.dir, { INFLUX_BUCKET: bucket })).check();

  it('warns when the bucket keeps readings less long than RETENTION_READINGS_DAYS', async () => {
    const result = await check('telemetry/week');
    assert.equal(result.verdict, 'too-short');
    assert.equal(result.durationMs, 7 * 86_400_000);
    assert.match(
      result.detail,
      /telemetry\/week keeps readings 7\.0 days, less than RETENTION_READINGS_DAYS=400/,
    );
  });

  it('accepts a longer or an infinite retention (the default policy when none is named)', async () => {
    assert.equal((await check('telemetry/long')).verdict, 'ok');
    const autogen = await check('telemetry');
    assert.deepEqual([autogen.verdict, autogen.policy], ['infinite', 'autogen']);
  });

  it('never puts an unusual bucket name in a statement, and reports an unknown database', async () => {
    assert.equal((await check('tele"; DROP DATABASE "telemetry')).verdict, 'unknown');
    assert.equal((await check('nosuchdb')).verdict, 'unknown');
    assert.equal((await check('telemetry/long')).verdict, 'ok', 'the database is still there');
  });

  it('reads Go durations as InfluxDB prints them', () => {
    assert.equal(parseInfluxDuration('0s'), 0);
    assert.equal(parseInfluxDuration('9600h0m0s'), 400 * 86_400_000);
    assert.equal(parseInfluxDuration('1h30m'), 5_400_000);
    assert.equal(parseInfluxDuration('soon'), undefined);
  });
});
