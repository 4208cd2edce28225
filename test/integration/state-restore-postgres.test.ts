import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { MqttClient } from 'mqtt';
import { deviceTelemetryTopic } from '#src/contracts/topics.js';
import { CHILLED_EXCURSION, startChilledShipment } from '#test/support/chilled-excursion.js';
import { startPostgres, withClient, type PostgresServer } from '#test/support/postgres.js';
import { startTestApp, type TestApp } from '#test/support/test-app.js';
import { waitFor } from '#test/support/wait-for.js';

const { device: DEVICE, container: CONTAINER, env: ENV, alertAt: ALERT_AT } = CHILLED_EXCURSION;
/** The first node stops mid-excursion, after this minute. */
const STOP_AFTER = 12;
const LAST = 24;

/**
 * The state lives in PostgreSQL, not in the node: a node stopped mid-excursion, and another one
 * started on another DATA_DIR (another machine) but the same PostgreSQL, goes on from the state
 * the first checkpointed. Without it the second would start the excursion again at its first
 * reading and alert 8 minutes late.
 */
describe('container state restored from PostgreSQL by a node on another DATA_DIR', () => {
  let postgres: PostgresServer;
  before(async () => {
    postgres = await startPostgres();
  });
  after(() => postgres.stop());

  const send = async (app: TestApp, device: MqttClient, t0: number, m: number): Promise<void> => {
    const ts = t0 + m * 60_000;
    await device.publishAsync(
      deviceTelemetryTopic(DEVICE),
      JSON.stringify({ ts, temperature: CHILLED_EXCURSION.temperatureAt(m) }),
      { qos: 1 },
    );
    await waitFor(`minute ${m} applied`, async () => {
      const { body } = await app.request(`/api/v1/containers/${CONTAINER}`);
      return body.live?.lastMeasuredAt === ts;
    });
  };

  it('serves the live values it restored, and raises the open excursion’s alert once, on time', async () => {
    const url = await postgres.createDatabase();
    const env = { ...ENV, DATABASE_URL: url };
    // Minute 0 lies in the past, so that the last reading is not in the future.
    const t0 = Math.floor(Date.now() / 60_000) * 60_000 - LAST * 60_000;

    const first = await startTestApp({ env });
    let firstRunning = true;
    let second: TestApp | undefined;
    try {
      await startChilledShipment((path, init) => first.request(`/api/v1${path}`, init), t0);
      const firstDevice = await first.mqtt({ clientId: DEVICE });
      for (let m = 0; m <= STOP_AFTER; m++) await send(first, firstDevice, t0, m);
      const live = (await first.request(`/api/v1/containers/${CONTAINER}`)).body.live;
      firstRunning = false;
      await first.close();
      const rows = await withClient(url, (c) =>
        c.query<{ n: string }>('SELECT count(*) AS n FROM container_states WHERE container_id = $1', [
          CONTAINER,
        ]),
      );
      assert.equal(rows.rows[0].n, '1', 'the rule state under way is in PostgreSQL');
      const positions = await withClient(url, (c) =>
        c.query<{ position: string }>("SELECT position FROM state_checkpoint WHERE log = 'inbox'"),
      );
      assert.ok(Number(positions.rows[0]?.position) > STOP_AFTER, 'and the position it reflects');

      second = await startTestApp({ env });
      const { body } = await second.request(`/api/v1/containers/${CONTAINER}`);
      assert.deepEqual(body.live, live, 'the live values as the first node served them');
      assert.equal(body.live.lastMeasuredAt, t0 + STOP_AFTER * 60_000);

      const secondDevice = await second.mqtt({ clientId: DEVICE });
      for (let m = STOP_AFTER + 1; m <= LAST; m++) await send(second, secondDevice, t0, m);
      const alerts = await waitFor('the alert', async () => {
        const { body: page } = await second!.request(
          `/api/v1/alerts?containerId=${CONTAINER}&rule=temperature-high`,
        );
        const found = page.items as { id: string; openedAt: number }[];
        return found.length > 0 && found;
      });
      assert.deepEqual(
        alerts.map((a) => (a.openedAt - t0) / 60_000),
        [ALERT_AT],
        'one alert, opened when the tolerated 15 min ran out, counted from the first node’s minute 5',
      );
      const { body: alert } = await second.request(`/api/v1/alerts/${alerts[0].id}`);
      assert.equal(alert.history.filter((h: { change: string }) => h.change === 'opened').length, 1);
    } finally {
      await second?.close();
      if (firstRunning) await first.close();
    }
  });
});
