import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { ManualClock } from '#src/common/clock.js';
import type { AlertEvent } from '#src/contracts/alert-event.js';
import { TOPIC_FILTERS, deviceTelemetryTopic } from '#src/contracts/topics.js';
import { RuleStateStore } from '#src/rules/rule-state.store.js';
import { startTestApp, type TestApp } from '#test/support/test-app.js';
import { waitFor } from '#test/support/wait-for.js';

const DEVICE = 'sensor-reefer-002';
const CONTAINER = 'REEFER-002';
const T0 = Date.UTC(2026, 10, 22, 8, 0, 0);
const minute = (m: number): number => T0 + 60_000 + m * 60_000;

/** One life of the platform on a data dir: its alert events on MQTT and a device publishing. */
interface Life {
  app: TestApp;
  events: AlertEvent[];
  /** Publishes readings (a batch when several) and waits until the newest is applied. */
  send(readings: { m: number; temperature: number }[]): Promise<void>;
  opened(): AlertEvent[];
}

async function live(dataDir: string, clock: ManualClock): Promise<Life> {
  const app = await startTestApp({ dataDir, clock });
  const events: AlertEvent[] = [];
  const operator = await app.mqtt({ clientId: 'ops-console' });
  operator.on('message', (_topic, payload) => events.push(JSON.parse(payload.toString()) as AlertEvent));
  await operator.subscribeAsync(TOPIC_FILTERS.containerAlerts, { qos: 1 });
  const device = await app.mqtt({ clientId: DEVICE });
  return {
    app,
    events,
    opened: () => events.filter((e) => e.rule === 'temperature-high' && e.change === 'opened'),
    async send(readings) {
      const newest = Math.max(...readings.map((r) => minute(r.m)));
      clock.set(Math.max(clock.now(), newest));
      const body = readings.map((r) => ({ ts: minute(r.m), temperature: r.temperature }));
      await device.publishAsync(
        deviceTelemetryTopic(DEVICE),
        JSON.stringify(body.length === 1 ? body[0] : body),
        {
          qos: 1,
        },
      );
      await waitFor(`readings up to ${new Date(newest).toISOString()} applied`, async () => {
        const { body: container } = await app.request(`/api/v1/containers/${CONTAINER}`);
        return container.live?.lastMeasuredAt === newest;
      });
    },
  };
}

const minutes = (from: number, to: number, temperature: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => ({ m: from + i, temperature }));

async function sendEach(life: Life, readings: { m: number; temperature: number }[]): Promise<void> {
  for (const r of readings) await life.send([r]);
}

describe(`restart in the middle of an excursion (${RuleStateStore.name})`, () => {
  let dataDir: string;
  let clock: ManualClock;
  const lives: Life[] = [];

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'convoi-rules-restart-'));
    clock = new ManualClock(T0);
  });
  afterEach(async () => {
    for (const life of lives.splice(0)) await life.app.close({ keepData: true });
    rmSync(dataDir, { recursive: true, force: true });
  });

  const start = async (): Promise<Life> => {
    const life = await live(dataDir, clock);
    lives.push(life);
    return life;
  };
  const stop = async (life: Life): Promise<void> => {
    lives.splice(lives.indexOf(life), 1);
    await life.app.close({ keepData: true });
  };

  const createShipment = async (app: TestApp): Promise<string> => {
    const created = await app.request('/api/v1/shipments', {
      method: 'POST',
      body: JSON.stringify({
        containerId: CONTAINER,
        originSiteId: 'DC-PARIS-RUNGIS',
        destinationSiteId: 'HM-LILLE-V2',
        profileId: 'chilled-4',
        plannedDeparture: new Date(T0).toISOString(),
        plannedArrival: new Date(T0 + 6 * 3_600_000).toISOString(),
      }),
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    return created.body.id as string;
  };

  /** The container's temperature-high alerts over REST, with the history of the only one. */
  const restAlerts = async (app: TestApp) => {
    const { body } = await app.request(`/api/v1/alerts?containerId=${CONTAINER}&rule=temperature-high`);
    return body.items as { id: string; openedAt: number; status: string; clearedAt?: number }[];
  };

  it('remembers an excursion pending at shutdown and raises once, when its 15 min run out', async () => {
    const first = await start();
    const shipmentId = await createShipment(first.app);
    await sendEach(first, [...minutes(0, 9, 3), ...minutes(10, 18, 5.5)]);
    assert.deepEqual(first.events, []);
    await stop(first);

    const second = await start();
    await sendEach(second, minutes(19, 24, 5.5));
    const { body: quiet } = await second.app.request(`/api/v1/alerts?containerId=${CONTAINER}`);
    assert.deepEqual(quiet.items, [], 'no alert before the tolerated time ran out');
    await sendEach(second, minutes(25, 26, 5.5));
    await waitFor('opened on MQTT', () => second.opened().length > 0);
    const alerts = await restAlerts(second.app);
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0].openedAt, minute(25), 'opened when the tolerated 15 min ran out (minute 10 + 15)');
    assert.deepEqual(
      second.opened().map((e) => [e.at, e.shipmentId, e.severity]),
      [[minute(25), shipmentId, 'critical']],
    );
  });

  it('does not raise an alert twice when restarted while it is active, and clears the same alert', async () => {
    const first = await start();
    await createShipment(first.app);
    await sendEach(first, [...minutes(0, 9, 3), ...minutes(10, 27, 5.5)]);
    await waitFor('opened before the restart', () => first.opened().length === 1);
    const alertId = first.opened()[0].alertId;
    await stop(first);

    const second = await start();
    await sendEach(second, [...minutes(28, 30, 6), ...minutes(31, 40, 3.2)]);
    assert.deepEqual(second.opened(), [], 'no second opening after the restart');
    await sendEach(second, minutes(41, 41, 3.2));
    const cleared = await waitFor('cleared on MQTT', () =>
      second.events.find((e) => e.rule === 'temperature-high' && e.change === 'cleared'),
    );
    assert.equal(cleared.alertId, alertId);
    assert.equal(cleared.at, minute(41));
    const alerts = await restAlerts(second.app);
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0].status, 'cleared');
    const { body } = await second.app.request(`/api/v1/alerts/${alertId}`);
    assert.equal(body.history.filter((h: { change: string }) => h.change === 'opened').length, 1);
    assert.equal(body.peakValue, 6, 'the peak seen after the restart is kept on the same alert');
    assert.equal(body.count, 6, 'minutes 25–30 confirmed it');
    assert.deepEqual(
      second.events
        .filter((e) => e.rule === 'temperature-high')
        .map((e) => `${e.change}@${(e.at - minute(0)) / 60_000}`),
      ['updated@28', 'cleared@41'],
      'only the new peak is announced, not its repeats',
    );
  });

  it('dates the alert of a buffered upload sent after the restart in the past, once', async () => {
    const first = await start();
    await createShipment(first.app);
    await sendEach(first, [...minutes(0, 9, 3), ...minutes(10, 19, 5.5)]);
    await stop(first);

    clock.set(minute(31));
    const second = await start();
    // The device buffered minutes 20–30 while the platform was down and sends them in one batch.
    await second.send(minutes(20, 30, 5.5));
    await waitFor('opened on MQTT', () => second.opened().length > 0);
    assert.deepEqual(
      second.opened().map((e) => e.at),
      [minute(25)],
    );
    const alerts = await restAlerts(second.app);
    assert.deepEqual(
      alerts.map((a) => [a.openedAt, a.status]),
      [[minute(25), 'active']],
    );
  });
});
