import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { MqttClient } from 'mqtt';
import { ShipmentEndAlertsService } from '#src/alerts/shipment-end-alerts.service.js';
import { ManualClock } from '#src/common/clock.js';
import type { AlertEvent } from '#src/contracts/alert-event.js';
import { TOPIC_FILTERS, deviceTelemetryTopic } from '#src/contracts/topics.js';
import { OperationalDatabase } from '#src/storage/operational-database.js';
import { startPostgres, withClient, type PostgresServer } from '#test/support/postgres.js';
import { STORE_DIALECTS } from '#test/support/store-dialects.js';
import { startTestApp, type TestApp } from '#test/support/test-app.js';
import { waitFor } from '#test/support/wait-for.js';

const T0 = Date.UTC(2026, 10, 22, 8, 0, 0);
const SHIPPED = { container: 'PAL-7001', device: 'sensor-pal-7001' };
const UNSHIPPED = { container: 'REEFER-001', device: 'sensor-reefer-001' };

interface AlertView {
  id: string;
  status: string;
  shipmentId?: string;
  clearedAt?: number;
  history: { change: string; by: string; note?: string; at: number }[];
}

// Shipments and alerts on each operational store.
for (const dialect of STORE_DIALECTS)
  describe(`alerts of a shipment that ends (${ShipmentEndAlertsService.name}, ${dialect})`, () => {
    const clock = new ManualClock(T0);
    let app: TestApp;
    let postgres: PostgresServer | undefined;
    let url: string | undefined;
    const events: AlertEvent[] = [];
    const devices = new Map<string, MqttClient>();

    const json = (method: string, body: unknown) => ({ method, body: JSON.stringify(body) });

    async function start(dataDir?: string): Promise<void> {
      app = await startTestApp({
        clock,
        ...(dataDir !== undefined && { dataDir }),
        env: url === undefined ? {} : { DATABASE_URL: url },
      });
      assert.equal(app.running.app.get(OperationalDatabase).dialect, dialect);
      const operator = await app.mqtt({ clientId: 'ops-console' });
      operator.on('message', (_t, payload) => events.push(JSON.parse(payload.toString()) as AlertEvent));
      await operator.subscribeAsync(TOPIC_FILTERS.containerAlerts, { qos: 1 });
      devices.clear();
      for (const d of [SHIPPED, UNSHIPPED]) devices.set(d.device, await app.mqtt({ clientId: d.device }));
    }

    async function plan(): Promise<string> {
      const res = await app.request(
        '/api/v1/shipments',
        json('POST', {
          containerId: SHIPPED.container,
          originSiteId: 'DC-PARIS-RUNGIS',
          destinationSiteId: 'HM-LILLE-V2',
          profileId: 'chilled-4',
          plannedDeparture: new Date(clock.now()).toISOString(),
          plannedArrival: new Date(clock.now() + 3_600_000).toISOString(),
        }),
      );
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return res.body.id as string;
    }

    /** A battery reading a minute later from `d`, and the wait until it is applied. */
    async function send(d: typeof SHIPPED, battery: number): Promise<number> {
      clock.advance(60_000);
      const ts = clock.now();
      await devices
        .get(d.device)!
        .publishAsync(deviceTelemetryTopic(d.device), JSON.stringify({ ts, battery }), { qos: 1 });
      await waitFor(`reading of ${d.container} applied`, async () => {
        const { body } = await app.request(`/api/v1/containers/${d.container}`);
        return body.live?.lastMeasuredAt === ts;
      });
      return ts;
    }

    /** A low battery on the shipped container: the alert it opens, checked to belong to the shipment. */
    async function raise(shipmentId: string): Promise<string> {
      await send(SHIPPED, 5);
      const opened = await waitFor('alert opened', () =>
        events.find(
          (e) => e.change === 'opened' && e.containerId === SHIPPED.container && e.at === clock.now(),
        ),
      );
      assert.equal(opened.shipmentId, shipmentId, 'the alert belongs to the shipment');
      return opened.alertId;
    }

    const alert = async (id: string): Promise<AlertView> =>
      (await app.request(`/api/v1/alerts/${id}`)).body as AlertView;
    const move = async (id: string, status: string) => {
      const res = await app.request(`/api/v1/shipments/${id}/status`, json('POST', { status }));
      assert.equal(res.status, 200, JSON.stringify(res.body));
    };

    before(async () => {
      postgres = dialect === 'postgres' ? await startPostgres() : undefined;
      url = await postgres?.createDatabase();
      await start();
    });
    after(async () => {
      await app?.close();
      await postgres?.stop();
    });

    it('keeps them active while the shipment goes on, clears them when it closes', async () => {
      await send(UNSHIPPED, 5);
      const unshipped = (
        await waitFor('alert of no shipment opened', () => events.find((e) => e.change === 'opened'))
      ).alertId;
      const shipmentId = await plan();
      const ids = { shipped: await raise(shipmentId), unshipped };
      clock.advance(60_000);
      await move(shipmentId, 'in_transit');
      clock.advance(60_000);
      await move(shipmentId, 'arrived');
      assert.equal((await alert(ids.shipped)).status, 'active', 'not final yet');

      clock.advance(60_000);
      const closedAt = clock.now();
      await move(shipmentId, 'closed');

      const cleared = await alert(ids.shipped);
      assert.equal(cleared.status, 'cleared');
      assert.equal(cleared.clearedAt, closedAt);
      const last = cleared.history.at(-1)!;
      assert.deepEqual([last.change, last.by, last.at], ['cleared', 'system', closedAt]);
      assert.match(last.note ?? '', new RegExp(`shipment ${shipmentId} ended: closed`));
      const published = await waitFor('clear published on MQTT', () =>
        events.find((e) => e.alertId === ids.shipped && e.change === 'cleared'),
      );
      assert.deepEqual([published.status, published.by], ['cleared', 'system']);
      assert.match(published.message, /ended: closed/);

      assert.equal((await alert(ids.unshipped)).status, 'active', 'an alert of no shipment stays');
      const listed = await app.request(`/api/v1/alerts?status=active&shipmentId=${shipmentId}`);
      assert.deepEqual(listed.body.items, []);
    });

    it('clears them when the shipment is cancelled', async () => {
      await send(SHIPPED, 100); // the rule clears, so it can raise again
      const shipmentId = await plan();
      const shipped = await raise(shipmentId);
      await move(shipmentId, 'cancelled');
      const cleared = await alert(shipped);
      assert.equal(cleared.status, 'cleared');
      assert.match(cleared.history.at(-1)!.note ?? '', /ended: cancelled/);
    });

    it('at start, clears alerts left active by a shipment that ended while nobody listened', async () => {
      await send(SHIPPED, 100);
      const shipmentId = await plan();
      const shipped = await raise(shipmentId);
      const unshipped = events.find(
        (e) => e.change === 'opened' && e.containerId === UNSHIPPED.container,
      )!.alertId;
      const dataDir = app.dataDir;
      await app.close({ keepData: true });
      // An older convoi (or a crash between the two writes) left the shipment ended, its alert active.
      if (url === undefined) {
        const db = new Database(join(dataDir, 'convoi.sqlite'));
        assert.equal(
          db.prepare("UPDATE shipments SET status = 'cancelled' WHERE id = ?").run(shipmentId).changes,
          1,
        );
        db.close();
      } else {
        const updated = await withClient(url, (client) =>
          client.query("UPDATE shipments SET status = 'cancelled' WHERE id = $1", [shipmentId]),
        );
        assert.equal(updated.rowCount, 1);
      }

      await start(dataDir);
      const cleared = await alert(shipped);
      assert.equal(cleared.status, 'cleared');
      assert.equal(cleared.history.at(-1)!.by, 'system');
      assert.equal((await alert(unshipped)).status, 'active', 'other alerts untouched');
    });
  });
