import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { MqttClient } from 'mqtt';
import { AlertLifecycleService } from '#src/alerts/alert-lifecycle.service.js';
import { ManualClock } from '#src/common/clock.js';
import type { AlertEvent } from '#src/contracts/alert-event.js';
import { TOPIC_FILTERS, deviceTelemetryTopic } from '#src/contracts/topics.js';
import { OperationalDatabase } from '#src/storage/operational-database.js';
import { STORE_DIALECTS, databaseUrlPerTest } from '#test/support/store-dialects.js';
import { startTestApp, type TestApp } from '#test/support/test-app.js';
import { waitFor } from '#test/support/wait-for.js';

const DEVICE = 'sensor-pal-7001';
const CONTAINER = 'PAL-7001';
const T0 = Date.UTC(2026, 10, 22, 8, 0, 0);
const PLANNER_NAME = 'planning-rungis';

// Alerts on each operational store: the same REST answers from SQLite and from PostgreSQL.
for (const dialect of STORE_DIALECTS)
  describe(`acknowledge, clear and comment over REST (${AlertLifecycleService.name}, ${dialect})`, () => {
    const databaseUrl = databaseUrlPerTest(dialect);
    const clock = new ManualClock(T0);
    let app: TestApp;
    let device: MqttClient;
    let viewerKey: string;
    let plannerKey: string;
    let alertId: string;
    const events: AlertEvent[] = [];

    before(async () => {
      const url = await databaseUrl();
      app = await startTestApp({ clock, env: url === undefined ? {} : { DATABASE_URL: url } });
      assert.equal(app.running.app.get(OperationalDatabase).dialect, dialect);
      const operator = await app.mqtt({ clientId: 'ops-console' });
      operator.on('message', (_topic, payload) => events.push(JSON.parse(payload.toString()) as AlertEvent));
      await operator.subscribeAsync(TOPIC_FILTERS.containerAlerts, { qos: 1 });
      device = await app.mqtt({ clientId: DEVICE });
      const createKey = async (name: string, role: string): Promise<string> => {
        const res = await app.request('/api/v1/keys', {
          method: 'POST',
          body: JSON.stringify({ name, role }),
        });
        assert.equal(res.status, 201, JSON.stringify(res.body));
        return res.body.key as string;
      };
      viewerKey = await createKey('dashboard-wall', 'viewer');
      plannerKey = await createKey(PLANNER_NAME, 'planner');
      await sendBattery(1, 15);
      alertId = (await waitFor('battery-low opened', () => events.find((e) => e.change === 'opened')))
        .alertId;
    });
    after(() => app.close());

    /** A battery reading at minute m (clock moved there) and the wait until it is applied. */
    async function sendBattery(m: number, battery: number): Promise<void> {
      const ts = T0 + m * 60_000;
      clock.set(ts);
      await device.publishAsync(deviceTelemetryTopic(DEVICE), JSON.stringify({ ts, battery }), { qos: 1 });
      await waitFor(`reading of minute ${m} applied`, async () => {
        const { body } = await app.request(`/api/v1/containers/${CONTAINER}`);
        return body.live?.lastMeasuredAt === ts;
      });
    }

    const post = (path: string, key: string | null, body: unknown = {}) =>
      app.request(`/api/v1/alerts/${alertId}/${path}`, { method: 'POST', key, body: JSON.stringify(body) });

    it('refuses a viewer (403) and a caller without a key (401), and changes nothing', async () => {
      const byViewer = await post('acknowledge', viewerKey);
      assert.equal(byViewer.status, 403);
      assert.match(byViewer.headers.get('content-type') ?? '', /application\/problem\+json/);
      for (const path of ['clear', 'comments']) {
        assert.equal((await post(path, viewerKey, { reason: 'x', text: 'x' })).status, 403, path);
      }
      assert.equal((await post('acknowledge', null)).status, 401);
      const seen = await app.request(`/api/v1/alerts/${alertId}`, { key: viewerKey });
      assert.equal(seen.status, 200, 'a viewer reads alerts');
      assert.equal(seen.body.acknowledged, false);
      assert.deepEqual(
        seen.body.history.map((h: { change: string }) => h.change),
        ['opened'],
      );
    });

    it('records a planner acknowledgement with the key name, never the key, and announces it', async () => {
      clock.set(T0 + 5 * 60_000);
      const res = await post('acknowledge', plannerKey, { note: 'driver called, checking the pack' });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.acknowledged, true);
      assert.equal(res.body.acknowledgedBy, PLANNER_NAME);
      assert.equal(res.body.acknowledgedAt, T0 + 5 * 60_000);
      assert.equal(res.body.status, 'active', 'acknowledging does not clear');
      const event = await waitFor('acknowledged on MQTT', () =>
        events.find((e) => e.change === 'acknowledged'),
      );
      assert.equal(event.by, PLANNER_NAME);
      assert.equal(event.acknowledged, true);
      const { body } = await app.request(`/api/v1/alerts/${alertId}`);
      assert.deepEqual(body.history.at(-1), {
        at: T0 + 5 * 60_000,
        change: 'acknowledged',
        by: PLANNER_NAME,
        severity: 'warning',
        value: 15,
        note: 'driver called, checking the pack',
      });
      const everything = JSON.stringify([body, events]);
      assert.ok(!everything.includes(plannerKey), 'the key itself is never recorded or published');
      assert.equal((await post('acknowledge', plannerKey)).status, 409, 'a second acknowledgement conflicts');
    });

    it('records comments with their author', async () => {
      clock.set(T0 + 6 * 60_000);
      const res = await post('comments', plannerKey, { text: 'spare battery at Rungis dock 4' });
      assert.equal(res.status, 200);
      assert.equal((await post('comments', plannerKey, {})).status, 400, 'a comment needs text');
      const { body } = await app.request(`/api/v1/alerts/${alertId}`);
      assert.deepEqual(
        [
          body.history.at(-1).change,
          body.history.at(-1).by,
          body.history.at(-1).note,
          body.history.at(-1).at,
        ],
        ['commented', PLANNER_NAME, 'spare battery at Rungis dock 4', T0 + 6 * 60_000],
      );
      await waitFor('commented on MQTT', () =>
        events.some((e) => e.change === 'commented' && e.by === PLANNER_NAME),
      );
    });

    it('clears by hand only with a reason, once', async () => {
      assert.equal((await post('clear', plannerKey, {})).status, 400, 'a reason is required');
      clock.set(T0 + 7 * 60_000);
      const res = await post('clear', plannerKey, { reason: 'battery swapped at the dock' });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.status, 'cleared');
      assert.equal(res.body.clearedAt, T0 + 7 * 60_000);
      assert.equal((await post('clear', plannerKey, { reason: 'again' })).status, 409);
      const cleared = await waitFor('cleared on MQTT', () => events.find((e) => e.change === 'cleared'));
      assert.equal(cleared.by, PLANNER_NAME);
      assert.match(cleared.message, /battery swapped at the dock/);
      const { body } = await app.request(`/api/v1/alerts/${alertId}`);
      assert.deepEqual(
        body.history.map((h: { change: string; by: string }) => `${h.change} by ${h.by}`),
        [
          'opened by rule',
          `acknowledged by ${PLANNER_NAME}`,
          `commented by ${PLANNER_NAME}`,
          `cleared by ${PLANNER_NAME}`,
        ],
      );
      assert.equal(body.history.at(-1).note, 'battery swapped at the dock');
    });

    it('does not reopen a hand-cleared alert while the condition lasts, but does once it recurs', async () => {
      await sendBattery(8, 12); // still low: the rule's excursion goes on
      await sendBattery(9, 60); // back above 20 + 5 %: the rule clears its excursion
      await sendBattery(10, 14); // low again: a new excursion, a new alert
      const reopened = await waitFor('a new alert', () =>
        events.find((e) => e.change === 'opened' && e.alertId !== alertId),
      );
      assert.equal(reopened.at, T0 + 10 * 60_000);
      const { body } = await app.request(`/api/v1/alerts?containerId=${CONTAINER}&rule=battery-low`);
      assert.deepEqual(
        body.items.map((a: { status: string; openedAt: number }) => [a.status, a.openedAt]),
        [
          ['active', T0 + 10 * 60_000],
          ['cleared', T0 + 60_000],
        ],
      );
      assert.equal(
        events.filter((e) => e.alertId === alertId).length,
        4,
        'nothing more on the hand-cleared alert: opened, acknowledged, commented, cleared',
      );
    });

    it('answers 404 for an unknown alert', async () => {
      const res = await app.request('/api/v1/alerts/no-such-alert/acknowledge', {
        method: 'POST',
        key: plannerKey,
        body: '{}',
      });
      assert.equal(res.status, 404);
    });
  });
