import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import mqtt, { type MqttClient } from 'mqtt';
import { deviceTelemetryTopic } from '#src/contracts/topics.js';
import { startConvoi } from '#test/support/child-app.js';
import { waitFor } from '#test/support/wait-for.js';

const DEVICE = 'sensor-reefer-002';
const CONTAINER = 'REEFER-002';
const ADMIN_KEY = `cv_test_${randomBytes(32).toString('base64url')}`;
const ENV = {
  FLEET_SEED_FILE: resolve('config/fleet.example.json'),
  CONVOI_ADMIN_KEY: ADMIN_KEY,
  TELEMETRY_FLUSH_MS: '20',
  // Readings are dated in the past (one a minute): the offline rule would judge them late.
  RULES_TICK_MS: '600000',
};
/** The series: in range (+3 °C) for minutes 0–4, then +6 °C, above chilled-4's +4 °C. */
const EXCURSION_FROM = 5;
/** chilled-4 tolerates 15 min above its maximum: the alert is due at the reading of minute 20. */
const ALERT_AT = EXCURSION_FROM + 15;
const LAST = 24;

/** One life of convoi on a data dir: a child process, killed with SIGKILL, or stopped by the test. */
interface Life {
  child: ChildProcess;
  httpPort: number;
  device: MqttClient;
}

/**
 * A crash forgets nothing: convoi is killed (SIGKILL) once a reading is stored, before any
 * checkpoint of the rule state that reflects it, at several points of an excursion; started again
 * on the same data dir, the series goes on. Whatever the kill point, exactly one alert follows, at
 * the minute the tolerated time runs out: the inbox replays what the rule state had not
 * checkpointed, and a replay raises nothing twice.
 */
describe('rule progress across SIGKILL (the checkpoint and the replay of the inbox)', () => {
  const dirs: string[] = [];
  const children: ChildProcess[] = [];
  after(() => {
    for (const child of children) child.kill('SIGKILL');
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  const start = async (dataDir: string): Promise<Life> => {
    const { child, httpPort, mqttPort } = await startConvoi({ dataDir, env: ENV, stderr: 'inherit' });
    children.push(child);
    const device = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, {
      clientId: DEVICE,
      reconnectPeriod: 0,
    });
    return { child, httpPort, device };
  };

  const request = async (
    life: Life,
    path: string,
    init: RequestInit = {},
  ): Promise<{ status: number; body: any }> => {
    const res = await fetch(`http://127.0.0.1:${life.httpPort}/api/v1${path}`, {
      ...init,
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
    });
    const text = await res.text();
    return { status: res.status, body: text === '' ? undefined : JSON.parse(text) };
  };

  const kill = async (life: Life): Promise<void> => {
    const exited = new Promise((done) => life.child.once('exit', done));
    life.child.kill('SIGKILL');
    await exited;
    life.device.end(true);
  };

  /** A chilled-4 shipment in transit (the seed binds the device from before the series). */
  const setUp = async (life: Life, t0: number): Promise<void> => {
    const created = await request(life, '/shipments', {
      method: 'POST',
      body: JSON.stringify({
        containerId: CONTAINER,
        originSiteId: 'DC-PARIS-RUNGIS',
        destinationSiteId: 'HM-LILLE-V2',
        profileId: 'chilled-4',
        plannedDeparture: new Date(t0).toISOString(),
        plannedArrival: new Date(t0 + 6 * 3_600_000).toISOString(),
      }),
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const moved = await request(life, `/shipments/${created.body.id}/status`, {
      method: 'POST',
      body: JSON.stringify({ status: 'in_transit', at: new Date(t0).toISOString() }),
    });
    assert.equal(moved.status, 200, JSON.stringify(moved.body));
  };

  /** Publishes minute `m` and waits until rules have judged it (live state) and it is stored. */
  const send = async (life: Life, t0: number, m: number): Promise<void> => {
    const ts = t0 + m * 60_000;
    const temperature = m < EXCURSION_FROM ? 3 : 6;
    await life.device.publishAsync(deviceTelemetryTopic(DEVICE), JSON.stringify({ ts, temperature }), {
      qos: 1,
    });
    await waitFor(`minute ${m} applied and stored`, async () => {
      const { body: container } = await request(life, `/containers/${CONTAINER}`);
      if (container.live?.lastMeasuredAt !== ts) return false;
      const { body: stored } = await request(
        life,
        `/containers/${CONTAINER}/readings?from=${new Date(ts).toISOString()}`,
      );
      return (stored.items as { measuredAt: number }[]).some((r) => r.measuredAt === ts);
    });
  };

  const temperatureAlerts = async (life: Life) => {
    const { body } = await request(life, `/alerts?containerId=${CONTAINER}&rule=temperature-high`);
    return body.items as { id: string; openedAt: number }[];
  };

  // Before the excursion, at its first reading, mid-way, at the last reading before the alert,
  // and at the reading after it (the alert is out: the replay must not raise it again).
  for (const killAfter of [3, EXCURSION_FROM, 12, ALERT_AT - 1, ALERT_AT + 1]) {
    it(`raises one alert at minute ${ALERT_AT} when killed after minute ${killAfter}`, async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'convoi-crash-replay-'));
      dirs.push(dataDir);
      // Minute 0 lies in the past, so that the last reading is not in the future.
      const t0 = Math.floor(Date.now() / 60_000) * 60_000 - LAST * 60_000;

      const first = await start(dataDir);
      await setUp(first, t0);
      for (let m = 0; m <= killAfter; m++) await send(first, t0, m);
      await kill(first);

      const second = await start(dataDir);
      try {
        for (let m = killAfter + 1; m <= LAST; m++) await send(second, t0, m);
        const alerts = await waitFor('the alert', async () => {
          const found = await temperatureAlerts(second);
          return found.length > 0 && found;
        });
        assert.deepEqual(
          alerts.map((a) => (a.openedAt - t0) / 60_000),
          [ALERT_AT],
          'one alert, opened when the tolerated 15 min ran out',
        );
        const { body: alert } = await request(second, `/alerts/${alerts[0].id}`);
        assert.equal(alert.history.filter((h: { change: string }) => h.change === 'opened').length, 1);
      } finally {
        second.device.end(true);
        const exited = new Promise((done) => second.child.once('exit', done));
        second.child.kill('SIGTERM');
        await exited;
      }
    });
  }
});
