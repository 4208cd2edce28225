import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { MqttClient } from 'mqtt';
import { ManualClock } from '#src/common/clock.js';
import type { AlertEvent } from '#src/contracts/alert-event.js';
import { TOPIC_FILTERS, deviceTelemetryTopic } from '#src/contracts/topics.js';
import { TelemetryDatabase } from '#src/telemetry/embedded/telemetry-database.js';
import { influxSkipReason } from '#test/support/influx/influx-availability.js';
import { startInflux, type InfluxServer } from '#test/support/influx/influx-server.js';
import { startShim, type HttpFront } from '#test/support/influx/influx-v2-shim.js';
import { startTestApp, type TestApp } from '#test/support/test-app.js';
import { waitFor } from '#test/support/wait-for.js';

const DEVICE = 'sensor-reefer-001';
const CONTAINER = 'REEFER-001';
/** A second device and container, used only as a barrier on the alert topic. */
const BARRIER_DEVICE = 'sensor-reefer-002';
/** The manual clock's start; the fleet seed binds the devices at that instant. */
const T0 = Date.UTC(2026, 10, 22, 8, 0, 0);
/** Minute m of the trip (from a minute after the binding, so every reading is attributed). */
const minute = (m: number): number => T0 + 60_000 + m * 60_000;

/** Points of the `alert` measurement of one container, as `{ time, change, rule, severity }`. */
type AlertPoint = { time: number; change: string; rule: string; severity: string };
type AlertPointsReader = (app: TestApp) => Promise<AlertPoint[]>;

interface Store {
  env: Record<string, string>;
  points: AlertPointsReader;
  close(): Promise<void>;
}

/**
 * ARCHITECTURE.md §6 end to end: a chilled-4 shipment created over REST, a device publishing native JSON
 * over the real broker every minute (measuredAt from a manual clock), the alert seen on MQTT, over
 * REST and in the time-series store.
 */
function coldChainScenario(name: string, skip: string | false, openStore: () => Promise<Store>): void {
  describe(name, { skip }, () => {
    const clock = new ManualClock(T0);
    let store: Store | undefined;
    let app: TestApp;
    let device: MqttClient;
    let barrierDevice: MqttClient;
    let shipmentId: string;
    const events: AlertEvent[] = [];
    const tripEvents = () => events.filter((e) => e.rule === 'temperature-high');
    const changes = () => tripEvents().map((e) => `${e.change}@${(e.at - minute(0)) / 60_000}`);

    before(async () => {
      store = await openStore();
      app = await startTestApp({ clock, env: store.env });
      const operator = await app.mqtt({ clientId: 'ops-console' });
      operator.on('message', (_topic, payload) => events.push(JSON.parse(payload.toString()) as AlertEvent));
      const granted = await operator.subscribeAsync(TOPIC_FILTERS.containerAlerts, { qos: 1 });
      assert.equal(granted[0]?.qos, 1, 'alerts subscription granted at QoS 1');
      device = await app.mqtt({ clientId: DEVICE });
      barrierDevice = await app.mqtt({ clientId: BARRIER_DEVICE });
      const created = await app.request('/api/v1/shipments', {
        method: 'POST',
        body: JSON.stringify({
          containerId: CONTAINER,
          originSiteId: 'DC-LYON-SQF',
          destinationSiteId: 'HM-PARIS-VILLIERS',
          profileId: 'chilled-4',
          plannedDeparture: new Date(T0).toISOString(),
          plannedArrival: new Date(T0 + 8 * 3_600_000).toISOString(),
        }),
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      shipmentId = created.body.id as string;
    });
    after(async () => {
      await app?.close();
      await store?.close();
    });

    const publish = (at: number, fields: Record<string, unknown>, client = device, id = DEVICE) =>
      client.publishAsync(deviceTelemetryTopic(id), JSON.stringify({ ts: at, ...fields }), { qos: 1 });

    /** Publishes minute m's reading at the clock's time and waits until it is in the live state. */
    const sendMinute = async (m: number, temperature: number) => {
      clock.set(minute(m));
      await publish(minute(m), { temperature });
      await waitFor(`reading of minute ${m} applied`, async () => {
        const { body } = await app.request(`/api/v1/containers/${CONTAINER}`);
        return body.live?.lastMeasuredAt === minute(m);
      });
    };

    /**
     * A barrier on the alert topic: a battery-low change on the other container. Rules run in the
     * same call that applies a reading, and the broker hands a subscriber its messages in order, so
     * once this event arrived every alert event of earlier readings has arrived too.
     */
    let barriers = 0;
    const alertBarrier = async () => {
      const seen = events.filter((e) => e.rule === 'battery-low').length;
      barriers += 1;
      await publish(
        minute(barriers),
        { battery: barriers % 2 === 1 ? 5 : 100 },
        barrierDevice,
        BARRIER_DEVICE,
      );
      await waitFor(
        'battery-low barrier event',
        () => events.filter((e) => e.rule === 'battery-low').length > seen,
      );
    };

    /** Readings taken in by the pipeline so far: accepted or dropped as repeats. */
    const processed = async (): Promise<number> => {
      const { body } = await app.request('/metrics');
      return (body as string)
        .split('\n')
        .filter((l) =>
          /^convoi_ingest_(readings_accepted_total|duplicates_total|rejected_total\{reason="conflict")/.test(
            l,
          ),
        )
        .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
    };

    it('tolerates 14 min above +4 °C without any alert', async () => {
      for (let m = 0; m <= 9; m++) await sendMinute(m, 3);
      for (let m = 10; m <= 24; m++) await sendMinute(m, 5.5);
      await alertBarrier();
      assert.deepEqual(changes(), []);
    });

    it('raises one critical temperature-high alert, on MQTT, at the minute the 15 min ran out', async () => {
      await sendMinute(25, 5.5);
      await waitFor('opened on MQTT', () => tripEvents().length > 0);
      await alertBarrier();
      assert.deepEqual(changes(), ['opened@25']);
      const [opened] = tripEvents();
      assert.equal(opened.containerId, CONTAINER);
      assert.equal(opened.shipmentId, shipmentId);
      assert.equal(opened.deviceId, DEVICE);
      assert.equal(opened.severity, 'critical');
      assert.equal(opened.status, 'active');
      assert.equal(opened.acknowledged, false);
      assert.equal(opened.value, 5.5);
      assert.equal(opened.at, minute(25));
    });

    it('shows the alert over REST with its history and the readings that caused it', async () => {
      const list = await app.request(`/api/v1/alerts?containerId=${CONTAINER}&rule=temperature-high`);
      assert.equal(list.status, 200);
      assert.equal(list.body.items.length, 1);
      const alert = list.body.items[0];
      assert.equal(alert.id, tripEvents()[0].alertId);
      assert.equal(alert.status, 'active');
      assert.equal(alert.severity, 'critical');
      assert.equal(alert.openedAt, minute(25));
      assert.equal(alert.shipmentId, shipmentId);
      const detail = await waitFor('evidence readings stored', async () => {
        const res = await app.request(`/api/v1/alerts/${alert.id}`);
        return res.status === 200 && res.body.readings.length === 26 ? res.body : undefined;
      });
      assert.deepEqual(detail.history, [
        { at: minute(25), change: 'opened', by: 'rule', severity: 'critical', value: 5.5 },
      ]);
      const warm = detail.readings.filter((r: { temperatureC: number }) => r.temperatureC > 4);
      assert.equal(warm.length, 16, 'minutes 10 to 25 above +4 °C');
      assert.equal(warm[0].measuredAt, minute(10));
    });

    it('writes the opening to the alert measurement', async () => {
      const opened = await waitFor('alert point', async () => {
        const rows = await store!.points(app);
        return rows.find((p) => p.change === 'opened');
      });
      assert.deepEqual(opened, {
        time: minute(25),
        change: 'opened',
        rule: 'temperature-high',
        severity: 'critical',
      });
    });

    it('clears only after 10 min under +3.5 °C', async () => {
      await sendMinute(26, 6.5); // a new peak: announced as an update
      for (let m = 27; m <= 36; m++) await sendMinute(m, 3.2);
      await alertBarrier();
      assert.deepEqual(changes(), ['opened@25', 'updated@26']);
      await sendMinute(37, 3.2);
      await waitFor('cleared on MQTT', () => tripEvents().some((e) => e.change === 'cleared'));
      assert.deepEqual(changes(), ['opened@25', 'updated@26', 'cleared@37']);
      const { body } = await app.request(`/api/v1/alerts/${tripEvents()[0].alertId}`);
      assert.equal(body.status, 'cleared');
      assert.equal(body.clearedAt, minute(37));
      assert.equal(body.count, 2);
      assert.equal(body.peakValue, 6.5);
      assert.deepEqual(
        body.history.map((h: { change: string; by: string; at: number }) => [h.change, h.by, h.at]),
        [
          ['opened', 'rule', minute(25)],
          ['updated', 'rule', minute(26)],
          ['cleared', 'rule', minute(37)],
        ],
      );
      await waitFor('cleared point', async () =>
        (await store!.points(app)).some((p) => p.change === 'cleared' && p.time === minute(37)),
      );
    });

    it('ignores duplicate, replayed and late readings: no second alert, no extra MQTT message', async () => {
      for (let m = 38; m <= 40; m++) await sendMinute(m, 3.2);
      const before = await processed();
      const noise: Record<string, unknown>[] = [
        { ts: minute(20), temperature: 5.5 }, // a duplicate (same device and time)
        { ts: minute(20), seq: 9001, temperature: 9 }, // same time, other values: refused as a conflict
        { ts: minute(12) + 30_000, temperature: 9 }, // late, inside the old excursion
        { ts: minute(30) + 30_000, temperature: 8 }, // late, while the alert waited to clear
        { ts: minute(39) + 30_000, temperature: 12 }, // late, after the clear: must not re-open
        ...[21, 22, 23, 24, 25, 26].map((m) => ({ ts: minute(m), seq: 9100 + m, temperature: 5.5 })), // replay, other seq
      ];
      for (const reading of noise) {
        await device.publishAsync(deviceTelemetryTopic(DEVICE), JSON.stringify(reading), { qos: 1 });
      }
      await waitFor('noise taken in', async () => (await processed()) >= before + noise.length);
      await alertBarrier();
      assert.deepEqual(changes(), ['opened@25', 'updated@26', 'cleared@37']);
      const list = await app.request(`/api/v1/alerts?containerId=${CONTAINER}&rule=temperature-high`);
      assert.equal(list.body.items.length, 1);
      assert.equal(list.body.items[0].status, 'cleared');
      const points = (await store!.points(app)).filter((p) => p.rule === 'temperature-high');
      assert.deepEqual(
        points.map((p) => p.change),
        ['opened', 'updated', 'cleared'],
      );
    });
  });
}

coldChainScenario('cold chain e2e, embedded store', false, () =>
  Promise.resolve({
    env: {},
    points: (app) => {
      const series = app.running.app.get(TelemetryDatabase);
      const rows = series.connection
        .prepare<[string], AlertPoint>(
          'SELECT at AS time, change, rule, severity FROM alert_events WHERE container_id = ? ORDER BY at',
        )
        .all(CONTAINER);
      return Promise.resolve(rows);
    },
    close: () => Promise.resolve(),
  }),
);

coldChainScenario('cold chain e2e, InfluxDB', influxSkipReason('rules-cold-chain'), async () => {
  const influx: InfluxServer = await startInflux();
  const shim: HttpFront = await startShim(influx.url);
  return {
    env: {
      INFLUX_URL: shim.url,
      INFLUX_BUCKET: 'telemetry/autogen',
      INFLUX_FLUSH_MS: '20',
      INFLUX_RETRY_MIN_MS: '100',
      INFLUX_RETRY_MAX_MS: '500',
    },
    points: async () => {
      const rows = await influx.rows(
        'SELECT "change", "rule", "severity", "alertId" FROM "alert" WHERE "container" = $c ORDER BY time',
        { c: CONTAINER },
      );
      return rows.map((r) => ({
        time: r.time as number,
        change: r.change as string,
        rule: r.rule as string,
        severity: r.severity as string,
      }));
    },
    close: async () => {
      await shim.close();
      await influx.close();
    },
  };
});
