import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { deviceTelemetryTopic } from '#src/contracts/topics.js';
import { CHILLED_EXCURSION, startChilledShipment } from '#test/support/chilled-excursion.js';
import { childLives, type ChildLife } from '#test/support/child-life.js';
import { startPostgres, type PostgresServer } from '#test/support/postgres.js';
import { waitFor } from '#test/support/wait-for.js';

const {
  device: DEVICE,
  container: CONTAINER,
  env: ENV,
  excursionFrom: EXCURSION_FROM,
  alertAt: ALERT_AT,
} = CHILLED_EXCURSION;
const LAST = 24;

/**
 * On PostgreSQL (alerts written behind through the local outbox): killed just before the alert
 * and just after it, when its change may be in the outbox only.
 */
const ON_POSTGRES = [ALERT_AT - 1, ALERT_AT + 1];

/**
 * A crash forgets nothing: convoi is killed (SIGKILL) once a reading is stored, before any
 * checkpoint of the rule state that reflects it, at several points of an excursion; started again
 * on the same data dir, the series goes on. Whatever the kill point, exactly one alert follows, at
 * the minute the tolerated time runs out: the inbox replays what the rule state had not
 * checkpointed, and a replay raises nothing twice.
 */
for (const dialect of ['sqlite', 'postgres'] as const)
  describe(`rule progress across SIGKILL (the checkpoint and the replay of the inbox, ${dialect})`, () => {
    const env = { ...ENV };
    const { dataDir: freshDataDir, start } = childLives(DEVICE, env, 'convoi-crash-replay-');
    let postgres: PostgresServer | undefined;
    if (dialect === 'postgres') {
      before(async () => {
        postgres = await startPostgres();
      });
      after(() => postgres?.stop());
    }

    /** Publishes minute `m` and waits until rules have judged it (live state) and it is stored. */
    const send = async (life: ChildLife, t0: number, m: number): Promise<void> => {
      const ts = t0 + m * 60_000;
      const temperature = CHILLED_EXCURSION.temperatureAt(m);
      await life.device.publishAsync(deviceTelemetryTopic(DEVICE), JSON.stringify({ ts, temperature }), {
        qos: 1,
      });
      await waitFor(`minute ${m} applied and stored`, async () => {
        const { body: container } = await life.request(`/containers/${CONTAINER}`);
        if (container.live?.lastMeasuredAt !== ts) return false;
        const from = new Date(ts).toISOString();
        const { body: stored } = await life.request(`/containers/${CONTAINER}/readings?from=${from}`);
        return (stored.items as { measuredAt: number }[]).some((r) => r.measuredAt === ts);
      });
    };

    // Before the excursion, at its first reading, mid-way, at the last reading before the alert,
    // and at the reading after it (the alert is out: the replay must not raise it again).
    const killPoints =
      dialect === 'sqlite' ? [3, EXCURSION_FROM, 12, ALERT_AT - 1, ALERT_AT + 1] : ON_POSTGRES;
    for (const killAfter of killPoints) {
      it(`raises one alert at minute ${ALERT_AT} when killed after minute ${killAfter}`, async () => {
        const dataDir = freshDataDir();
        if (postgres !== undefined) env.DATABASE_URL = await postgres.createDatabase();
        // Minute 0 lies in the past, so that the last reading is not in the future.
        const t0 = Math.floor(Date.now() / 60_000) * 60_000 - LAST * 60_000;

        const first = await start(dataDir);
        await startChilledShipment((path, init) => first.request(path, init), t0);
        for (let m = 0; m <= killAfter; m++) await send(first, t0, m);
        await first.kill();

        const second = await start(dataDir);
        for (let m = killAfter + 1; m <= LAST; m++) await send(second, t0, m);
        const alerts = await waitFor('the alert', async () => {
          const { body } = await second.request(`/alerts?containerId=${CONTAINER}&rule=temperature-high`);
          const found = body.items as { id: string; openedAt: number }[];
          return found.length > 0 && found;
        });
        assert.deepEqual(
          alerts.map((a) => (a.openedAt - t0) / 60_000),
          [ALERT_AT],
          'one alert, opened when the tolerated 15 min ran out',
        );
        const { body: alert } = await second.request(`/alerts/${alerts[0].id}`);
        assert.equal(alert.history.filter((h: { change: string }) => h.change === 'opened').length, 1);
        await second.stop();
      });
    }
  });
