// Every role in one process on the shared log (NATS_URL, DATABASE_URL, CONVOI_ROLES default):
// the edge appends to JetStream, the processor owns every partition (it is the only member) and
// reads them back into the pipeline, and the api serves what was stored. QoS 0 goes the same way;
// a device with no container goes through the log to the processor, which refuses it as one node does.
// A resent PUBLISH is in the log twice (the edge appends what it is sent) and applied once: the
// processor's dedupe drops the second copy's reading.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { deviceTelemetryTopic } from '#src/contracts/topics.js';
import { ClusterIntake } from '#src/cluster/cluster-intake.js';
import { startClusterApp, type ClusterApp } from '#test/support/cluster-app.js';
import { metricValue } from '#test/support/lorawan/lorawan-uplinks.js';
import { publishResentThenMarker } from '#test/support/resent-publish.js';
import type { TestApp } from '#test/support/test-app.js';
import { waitFor } from '#test/support/wait-for.js';

const PARTITIONS = 8;
const DEVICE = 'sensor-reefer-001';
const CONTAINER = 'REEFER-001';

describe('one process with every role on the shared log', () => {
  let cluster: ClusterApp;
  let app: TestApp;

  before(async () => {
    cluster = await startClusterApp(PARTITIONS);
    app = cluster.app;
  });
  after(() => cluster?.close());

  it('owns every partition as the only processor', async () => {
    const intake = app.running.app.get(ClusterIntake);
    await waitFor('every partition owned', () => intake.owned().length === PARTITIONS);
  });

  it('stores QoS 1 and QoS 0 readings sent through its edge, served by its api', async () => {
    const device = await app.mqtt({ clientId: DEVICE });
    const first = Date.now() + 1000;
    const sent: number[] = [];
    for (let i = 0; i < 20; i++) {
      const ts = first + i * 1000;
      await device.publishAsync(
        deviceTelemetryTopic(DEVICE),
        JSON.stringify({ ts: new Date(ts).toISOString(), temperature: 4 }),
        { qos: i % 2 === 0 ? 1 : 0 },
      );
      sent.push(ts);
    }
    const range = `from=${new Date(first - 1000).toISOString()}&to=${new Date(first + 60_000).toISOString()}`;
    const stored = await waitFor(
      'the 20 readings served',
      async () => {
        const { status, body } = await app.request(`/api/v1/containers/${CONTAINER}/readings?${range}`);
        assert.equal(status, 200, JSON.stringify(body));
        const items = (body as { items: { measuredAt: number | string }[] }).items;
        return items.length >= sent.length ? items : undefined;
      },
      15_000,
      100,
    );
    assert.deepEqual(
      stored.map((r) => new Date(r.measuredAt).getTime()),
      sent,
    );
  });

  it('refuses, with a reason on record, a device the edge could attribute to no container', async () => {
    const stranger = 'sensor-not-in-the-fleet';
    const device = await app.mqtt({ clientId: stranger });
    await device.publishAsync(
      deviceTelemetryTopic(stranger),
      JSON.stringify({ ts: new Date().toISOString(), temperature: 4 }),
      { qos: 1 },
    );
    const [rejection] = await waitFor('the rejection on record', async () => {
      const { body } = await app.request(`/api/v1/devices/${stranger}/rejections`);
      const items = (body as { items: { reason: string }[] }).items;
      return items.length > 0 ? items : undefined;
    });
    assert.match(rejection.reason, /unknown|unbound/);
  });

  it('applies a resent PUBLISH (same packet id and bytes, DUP) once, and acknowledges both', async () => {
    const accepted = 'convoi_ingest_readings_accepted_total{source="json"}';
    const duplicates = 'convoi_ingest_duplicates_total{source="json"}';
    const [acceptedBefore, duplicatesBefore] = [
      await metricValue(app, accepted),
      await metricValue(app, duplicates),
    ];
    const at = Date.UTC(2026, 0, 1);
    const reading = (i: number): string =>
      JSON.stringify({ ts: new Date(at + i * 1000).toISOString(), temperature: 5 + i });
    await publishResentThenMarker(
      Number(new URL(app.mqttUrl).port),
      DEVICE,
      deviceTelemetryTopic(DEVICE),
      reading(1),
      reading(2),
    );
    // The marker comes after the resend in the partition: once it is applied, so is the resend.
    await waitFor('the marker applied', async () => (await metricValue(app, accepted)) >= acceptedBefore + 2);
    assert.equal(
      await metricValue(app, accepted),
      acceptedBefore + 2,
      'the reading and the marker, once each',
    );
    assert.equal(await metricValue(app, duplicates), duplicatesBefore + 1, 'the resend dropped as a repeat');
    // Applied is not yet stored (the telemetry writer batches): wait for the marker's row.
    const range = `from=${new Date(at).toISOString()}&to=${new Date(at + 10_000).toISOString()}`;
    const stored = await waitFor('the marker stored', async () => {
      const { body } = await app.request(`/api/v1/containers/${CONTAINER}/readings?${range}`);
      const times = (body as { items: { measuredAt: number | string }[] }).items.map((r) =>
        new Date(r.measuredAt).getTime(),
      );
      return times.includes(at + 2000) ? times : undefined;
    });
    assert.deepEqual(stored, [at + 1000, at + 2000]);
  });
});
