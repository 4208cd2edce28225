import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { MqttClient } from 'mqtt';
import { ManualClock } from '#src/common/clock.js';
import type { AlertEvent } from '#src/contracts/alert-event.js';
import { TOPIC_FILTERS, deviceTelemetryTopic } from '#src/contracts/topics.js';
import { Metrics } from '#src/common/metrics.js';
import { PartitionOwnership } from '#src/partitions/partition-ownership.js';
import { RuleEngine } from '#src/rules/rule-engine.service.js';
import { startTestApp, type TestApp } from '#test/support/test-app.js';
import { waitFor } from '#test/support/wait-for.js';

const T0 = Date.UTC(2026, 10, 22, 8, 0, 0);
const MIN = 60_000;
/** Minute m after the devices were bound (the fleet seed binds them at the clock's start). */
const minute = (m: number): number => T0 + MIN + m * MIN;

describe(`offline rules on the timer (${RuleEngine.name}.tick)`, () => {
  const clock = new ManualClock(T0);
  let app: TestApp;
  let engine: RuleEngine;
  const events: AlertEvent[] = [];
  const devices = new Map<string, MqttClient>();
  const of = (containerId: string, rule: string) =>
    events
      .filter((e) => e.containerId === containerId && e.rule === rule)
      .map((e) => `${e.change}:${e.severity}`);

  before(async () => {
    // A slow background timer: the test drives every evaluation through tick().
    app = await startTestApp({ clock, env: { RULES_TICK_MS: '600000' } });
    engine = app.running.app.get(RuleEngine);
    const operator = await app.mqtt({ clientId: 'ops-console' });
    operator.on('message', (_topic, payload) => events.push(JSON.parse(payload.toString()) as AlertEvent));
    await operator.subscribeAsync(TOPIC_FILTERS.containerAlerts, { qos: 1 });
    for (const id of ['sensor-pal-7001', 'sensor-reefer-001'])
      devices.set(id, await app.mqtt({ clientId: id }));
  });
  after(() => app.close());

  /** Publishes a reading measured now (clock time) and waits until the container's live state has it. */
  const send = async (deviceId: string, containerId: string, fields: Record<string, unknown>) => {
    const ts = clock.now();
    await devices
      .get(deviceId)!
      .publishAsync(deviceTelemetryTopic(deviceId), JSON.stringify({ ts, ...fields }), {
        qos: 1,
      });
    await waitFor(`reading of ${deviceId} applied`, async () => {
      const { body } = await app.request(`/api/v1/containers/${containerId}`);
      return body.live?.lastMeasuredAt === ts;
    });
  };

  /** Creates a chilled-4 shipment to Marseille departing at minute `departs`, for 400 minutes. */
  const createShipment = async (fields: Record<string, unknown>, departs: number) => {
    const created = await app.request('/api/v1/shipments', {
      method: 'POST',
      body: JSON.stringify({
        destinationSiteId: 'HM-MARSEILLE-GRANDLITTORAL',
        profileId: 'chilled-4',
        plannedDeparture: new Date(minute(departs)).toISOString(),
        plannedArrival: new Date(minute(departs + 400)).toISOString(),
        ...fields,
      }),
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    return created;
  };

  /** Ticks, then waits for the alert events that tick published (a bounded count). */
  const tickAt = async (at: number, expectEvents: number) => {
    clock.set(at);
    const before = events.length;
    await engine.tick();
    if (expectEvents > 0)
      await waitFor(`${expectEvents} event(s) from the tick`, () => events.length >= before + expectEvents);
    return events.slice(before);
  };

  it('raises device-offline after 3 × 5 min of silence, dated when the limit passed, and escalates after 4 h', async () => {
    clock.set(minute(0));
    await send('sensor-pal-7001', 'PAL-7001', { temperature: -21 });
    assert.deepEqual(await tickAt(minute(14) + 59_000, 0), []);
    const [opened] = await tickAt(minute(15), 1);
    assert.equal(opened.rule, 'device-offline');
    assert.equal(opened.change, 'opened');
    assert.equal(opened.severity, 'warning');
    assert.equal(opened.at, minute(15), 'dated when the 15 min limit passed');
    assert.deepEqual(await tickAt(minute(20), 0), [], 'an open offline alert is not raised again');
    const [escalated] = await tickAt(minute(15 + 240), 1);
    assert.deepEqual(
      [escalated.change, escalated.severity, escalated.alertId],
      ['escalated', 'critical', opened.alertId],
    );
    const { body } = await app.request(
      '/api/v1/alerts?containerId=PAL-7001&rule=device-offline&status=active',
    );
    assert.equal(body.items.length, 1);
    assert.equal(body.items[0].openedAt, minute(15));
  });

  it('clears device-offline when data comes back', async () => {
    clock.set(minute(300));
    await send('sensor-pal-7001', 'PAL-7001', { temperature: -20.5 });
    const cleared = await waitFor('cleared on MQTT', () =>
      events.find((e) => e.containerId === 'PAL-7001' && e.change === 'cleared'),
    );
    assert.equal(cleared.at, minute(300));
    assert.deepEqual(of('PAL-7001', 'device-offline'), [
      'opened:warning',
      'escalated:critical',
      'cleared:critical',
    ]);
    await tickAt(minute(301), 0);
    const { body } = await app.request('/api/v1/alerts?containerId=PAL-7001&rule=device-offline');
    assert.deepEqual(
      body.items.map((a: { status: string; clearedAt: number }) => [a.status, a.clearedAt]),
      [['cleared', minute(300)]],
    );
  });

  it('raises temperature-offline for a tracker that sends positions but no temperature, and clears it', async () => {
    const created = await createShipment({ containerId: 'REEFER-001', originSiteId: 'DC-LYON-SQF' }, 400);
    clock.set(minute(400));
    await send('sensor-reefer-001', 'REEFER-001', { temperature: 3, lat: 45.64, lon: 5.11 });
    for (const m of [405, 410]) {
      clock.set(minute(m));
      await send('sensor-reefer-001', 'REEFER-001', { lat: 45.6 - (m - 400) / 100, lon: 5.1 });
    }
    // PAL-7001 has been silent since minute 300: the same tick raises its device-offline again.
    const raised = (await tickAt(minute(416), 2)).filter((e) => e.containerId === 'REEFER-001');
    assert.deepEqual(
      raised.map((e) => [e.rule, e.change, e.severity, e.at, e.shipmentId]),
      [['temperature-offline', 'opened', 'warning', minute(415), created.body.id]],
      'the temperature key is silent, the device is not',
    );
    assert.deepEqual(of('REEFER-001', 'device-offline'), []);
    clock.set(minute(417));
    await send('sensor-reefer-001', 'REEFER-001', { temperature: 3.1, lat: 45.4, lon: 5.1 });
    await waitFor('temperature-offline cleared', () =>
      events.some((e) => e.rule === 'temperature-offline' && e.change === 'cleared'),
    );
    assert.deepEqual(of('REEFER-001', 'temperature-offline'), ['opened:warning', 'cleared:warning']);
  });

  it('evaluates at a tick only the containers that may conclude, and a quiet one on time when it is due', async () => {
    const evaluated = async () =>
      (
        await app.running.app
          .get(Metrics)
          .registry.getSingleMetric('convoi_rule_tick_containers_total')
          ?.get()
      )?.values[0]?.value ?? 0;
    await tickAt(minute(418), 0); // REEFER-001 had a reading: looked at once more, then scheduled
    const before = await evaluated();
    await tickAt(minute(419), 0);
    assert.equal(await evaluated(), before + 1, 'PAL-7001 (offline alert out), not the quiet REEFER-001');
    assert.deepEqual(
      (await tickAt(minute(431) + 59_000, 0)).filter((e) => e.containerId === 'REEFER-001'),
      [],
    );
    const raised = (await tickAt(minute(432), 2)).filter((e) => e.containerId === 'REEFER-001');
    assert.deepEqual(
      raised.map((e) => [e.rule, e.change, e.at]).sort(),
      [
        ['device-offline', 'opened', minute(432)],
        ['temperature-offline', 'opened', minute(432)],
      ],
      '15 min after its last reading, at the first tick after',
    );
  });

  it('looks again at a container whose shipment is given a shorter expected interval, and raises on time', async () => {
    clock.set(minute(440));
    await send('sensor-reefer-001', 'REEFER-001', { temperature: 3, lat: 45.4, lon: 5.1 });
    await waitFor(
      'both offline alerts cleared',
      () =>
        events.filter((e) => e.containerId === 'REEFER-001' && e.change === 'cleared' && e.at === minute(440))
          .length === 2,
    );
    await tickAt(minute(441), 0); // scheduled: 15 min after its reading
    const shipmentId = (await app.request('/api/v1/shipments?containerId=REEFER-001')).body.items[0]
      .id as string;
    const etag = (await app.request(`/api/v1/shipments/${shipmentId}`)).headers.get('etag')!;
    const patched = await app.request(`/api/v1/shipments/${shipmentId}`, {
      method: 'PATCH',
      body: JSON.stringify({ overrides: { expectedIntervalS: 60 } }),
      headers: { 'if-match': etag },
    });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    const raised = (await tickAt(minute(443), 2)).filter((e) => e.containerId === 'REEFER-001');
    assert.deepEqual(
      raised.map((e) => [e.rule, e.change, e.at]).sort(),
      [
        ['device-offline', 'opened', minute(443)],
        ['temperature-offline', 'opened', minute(443)],
      ],
      '3 × 60 s after its reading, not at the 15 min it was scheduled for',
    );
  });

  it('concludes nothing at a tick for a container of a partition given away (cluster mode), again once taken', async () => {
    const ownership = app.running.app.get(PartitionOwnership);
    const partition = ownership.partitionOf('REEFER-002');
    assert.ok(
      ['PAL-7001', 'REEFER-001'].every((c) => ownership.partitionOf(c) !== partition),
      'REEFER-002 is alone in its partition among the containers this suite drives',
    );
    clock.set(minute(500));
    devices.set('sensor-reefer-002', await app.mqtt({ clientId: 'sensor-reefer-002' }));
    await send('sensor-reefer-002', 'REEFER-002', { temperature: 3 });
    ownership.give([partition]);
    try {
      await tickAt(minute(516), 0);
      assert.deepEqual(of('REEFER-002', 'device-offline'), [], 'another processor owns it');
    } finally {
      ownership.take([partition]);
    }
    await tickAt(minute(517), 1);
    assert.deepEqual(of('REEFER-002', 'device-offline'), ['opened:warning']);
  });

  it('looks at a container whose reading brings it onto a stricter shipment, by that reading alone', async () => {
    clock.set(minute(520));
    await send('sensor-reefer-002', 'REEFER-002', { temperature: 3 });
    await waitFor('device-offline cleared', () => of('REEFER-002', 'device-offline').length === 2);
    await tickAt(minute(521), 0); // quiet again: due 15 min after its reading (the defaults)
    const created = await createShipment(
      { containerId: 'REEFER-002', originSiteId: 'DC-PARIS-RUNGIS', overrides: { expectedIntervalS: 60 } },
      521,
    );
    // Looked at for the shipment write, but its live state has no reading of the shipment yet.
    await tickAt(minute(522), 0);
    clock.set(minute(523));
    await send('sensor-reefer-002', 'REEFER-002', { temperature: 3.2 });
    const raised = (await tickAt(minute(526), 2)).filter((e) => e.containerId === 'REEFER-002');
    assert.deepEqual(
      raised.map((e) => [e.rule, e.change, e.at, e.shipmentId]).sort(),
      [
        ['device-offline', 'opened', minute(526), created.body.id],
        ['temperature-offline', 'opened', minute(526), created.body.id],
      ],
      '3 × 60 s after the reading of the new shipment, not at the 15 min of the defaults',
    );
  });
});
