// A cluster's edge (CONVOI_ROLES=edge, NATS_URL, DATABASE_URL) against a real nats-server and
// PostgreSQL: each QoS 1 device message is in the shared log, in its container's partition,
// before the device has its PUBACK; while the log is away there is no PUBACK, and the device's
// resend once it is back is in the log. The edge does not drop resends: a message sent again is
// in the log again, and the processor drops its readings as repeats (cluster-all-roles.test.ts).
// The node serves no REST.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { partitionOf } from '#src/contracts/partition.js';
import { deviceTelemetryTopic } from '#src/contracts/topics.js';
import type { LoggedEntry } from '#src/log/log-entry.js';
import type { JetStreamLog } from '#src/log/jetstream/jetstream-log.js';
import { openLog, readUntil } from '#test/support/jetstream-log.js';
import { publishResentThenMarker } from '#test/support/resent-publish.js';
import { startClusterApp, type ClusterApp } from '#test/support/cluster-app.js';
import type { NatsServerProcess } from '#test/support/nats-server.js';
import type { TestApp } from '#test/support/test-app.js';
import { waitFor } from '#test/support/wait-for.js';

const PARTITIONS = 8;
const BOUND = { device: 'sensor-reefer-001', container: 'REEFER-001' };
/** Not in the fleet; its partition (4 of 8) is neither REEFER-001's (2) nor REEFER-002's (7). */
const UNBOUND = 'sensor-unknown-3';
const reading = (i: number): string =>
  JSON.stringify({ ts: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(), temperature: 4 + i / 100 });
const indexOf = (e: LoggedEntry): number =>
  Date.parse((JSON.parse(Buffer.from(e.payload).toString()) as { ts: string }).ts) / 1000 -
  Date.UTC(2026, 0, 1) / 1000;

describe('a cluster edge appends to the shared log before the PUBACK', () => {
  let cluster: ClusterApp;
  let nats: NatsServerProcess;
  let edge: TestApp;
  let log: JetStreamLog;

  before(async () => {
    cluster = await startClusterApp(PARTITIONS, { CONVOI_ROLES: 'edge', NATS_APPEND_TIMEOUT_MS: '500' });
    ({ nats, app: edge } = cluster);
    log = await openLog(nats.url, { PARTITIONS: String(PARTITIONS) });
  });
  after(async () => {
    await log?.close();
    await cluster?.close();
  });

  it('puts each acknowledged message in its container’s partition, attributed, in order', async () => {
    const device = await edge.mqtt({ clientId: BOUND.device });
    for (let i = 0; i < 50; i++)
      await device.publishAsync(deviceTelemetryTopic(BOUND.device), reading(i), { qos: 1 });
    const partition = partitionOf(BOUND.container, PARTITIONS);
    const got = await readUntil(log, new Map([[partition, 0]]), 50);
    assert.deepEqual(
      got.map(indexOf),
      Array.from({ length: 50 }, (_, i) => i),
    );
    assert.ok(got.every((e) => e.containerId === BOUND.container && e.deviceId === BOUND.device));
    assert.equal(got[0].topic, deviceTelemetryTopic(BOUND.device));
  });

  it('puts a device without a binding in its own id’s partition, with no container', async () => {
    const device = await edge.mqtt({ clientId: UNBOUND });
    await device.publishAsync(deviceTelemetryTopic(UNBOUND), reading(0), { qos: 1 });
    const partition = partitionOf(UNBOUND, PARTITIONS);
    assert.notEqual(partition, partitionOf(BOUND.container, PARTITIONS));
    const [entry] = await readUntil(log, new Map([[partition, 0]]), 1);
    assert.equal(entry.containerId, '');
    assert.equal(entry.deviceId, UNBOUND);
  });

  it('holds the PUBACK while the log is away; the message sent again is stored then', async () => {
    const device = await edge.mqtt({ clientId: 'sensor-reefer-002', clean: false, reconnectPeriod: 200 });
    const partition = partitionOf('REEFER-002', PARTITIONS);
    await nats.kill();
    let acknowledged = false;
    const sent = device
      .publishAsync(deviceTelemetryTopic('sensor-reefer-002'), reading(7), { qos: 1 })
      .then(() => {
        acknowledged = true;
      });
    // Longer than the append timeout: the edge refused the message and closed the connection.
    await waitFor('the edge to drop the connection', () => !device.connected, 5000);
    assert.equal(acknowledged, false, 'no PUBACK while the log is away');
    await nats.start();
    await waitFor('the PUBACK once the log is back', () => acknowledged, 20_000, 50);
    await sent;
    // A marker behind it: a second copy of 7 would come before it.
    await device.publishAsync(deviceTelemetryTopic('sensor-reefer-002'), reading(8), { qos: 1 });
    // A connection of its own: the suite's reconnects on its own schedule after the restart.
    const reopened = await openLog(nats.url, { PARTITIONS: String(PARTITIONS) });
    try {
      // Nothing of the first copy: the edge publishes nothing while its connection is down, so
      // its client has no copy buffered to send once the server is back.
      const got = await readUntil(reopened, new Map([[partition, 0]]), 2);
      assert.deepEqual(got.map(indexOf), [7, 8]);
    } finally {
      await reopened.close();
    }
  });

  it('appends a resent PUBLISH (same client, packet id and bytes) again, and acknowledges both', async () => {
    // PAL-7001's partition (5 of 8) holds nothing else of this suite.
    const partition = partitionOf('PAL-7001', PARTITIONS);
    await publishResentThenMarker(
      Number(new URL(edge.mqttUrl).port),
      'sensor-pal-7001',
      deviceTelemetryTopic('sensor-pal-7001'),
      reading(1),
      reading(2),
    );
    // A connection of its own, as above: the suite's may still be reconnecting after the restart.
    const reopened = await openLog(nats.url, { PARTITIONS: String(PARTITIONS) });
    try {
      const got = await readUntil(reopened, new Map([[partition, 0]]), 3);
      assert.deepEqual(got.map(indexOf), [1, 1, 2], 'both copies, for the processor to drop the second');
    } finally {
      await reopened.close();
    }
  });

  it('serves no REST: /api/ is a 404 problem naming the role; health answers', async () => {
    const res = await edge.request('/api/v1/containers');
    assert.equal(res.status, 404);
    assert.match(String(res.headers.get('content-type')), /problem\+json/);
    assert.match((res.body as { detail: string }).detail, /CONVOI_ROLES has no api/);
    const health = await edge.request('/health/ready', { key: null });
    assert.equal(health.status, 200, JSON.stringify(health.body));
  });
});
