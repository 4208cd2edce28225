// The input log on a 3-node JetStream cluster with 3 replicas: the node leading the stream is
// killed (SIGKILL) and the log goes on on the other two, with every acknowledged entry.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { partitionOf } from '#src/contracts/partition.js';
import type { LoggedEntry } from '#src/log/log-entry.js';
import type { JetStreamLog } from '#src/log/jetstream/jetstream-log.js';
import { openLog, readUntil } from '#test/support/jetstream-log.js';
import { NatsCluster, natsServerInstalled } from '#test/support/nats-server.js';
import { waitFor } from '#test/support/wait-for.js';

const CONTAINER = 'REEFER-001';
const entry = (i: number) => ({
  containerId: CONTAINER,
  deviceId: 'sensor-1',
  topic: 'v1/devices/sensor-1/telemetry',
  payload: Buffer.from(String(i)),
  receivedAt: i,
});
const indexOf = (e: LoggedEntry): number => Number(Buffer.from(e.payload).toString());

describe('input log on a 3-node JetStream cluster', { skip: !natsServerInstalled() }, () => {
  const cluster = new NatsCluster();
  const opened: JetStreamLog[] = [];

  before(() => cluster.start());
  after(async () => {
    for (const log of opened) await log.close();
    await cluster.dispose();
  });

  it('keeps every acknowledged entry and takes appends again when the stream leader dies', async () => {
    // The cluster elects its JetStream meta leader a few seconds after the routes are up.
    const log = await waitFor(
      'the stream created with 3 replicas',
      () => openLog(cluster.url, { NATS_REPLICAS: '3', NATS_APPEND_TIMEOUT_MS: '1000' }),
      30_000,
      250,
    );
    opened.push(log);
    const positions: number[] = [];
    for (let i = 0; i < 50; i++) positions.push(await log.appender.append(entry(i), `m${i}`));

    const nc = await connect({ servers: cluster.url.split(',') });
    const jsm = await jetstreamManager(nc);
    const info = await waitFor('the stream info', () => jsm.streams.info('CONVOI_READINGS'), 30_000, 250);
    await nc.close();
    assert.equal(info.config.num_replicas, 3);
    const leader = info.cluster?.leader;
    assert.ok(leader, 'the stream has a leader');
    await cluster.node(leader).kill();

    // Appends retried with their ids until a new leader takes them: none is stored twice.
    for (let i = 50; i < 100; i++) {
      positions.push(
        await waitFor(
          `append ${i} after the failover`,
          () => log.appender.append(entry(i), `m${i}`).catch(() => undefined),
          30_000,
          100,
        ),
      );
    }
    // A JetStream request can time out while the cluster settles after the failover: read again.
    const got = await waitFor(
      'all 100 read after the failover',
      () => readUntil(log, new Map([[partitionOf(CONTAINER, 8), 0]]), 100, 15_000).catch(() => undefined),
      60_000,
      250,
    );
    assert.deepEqual(
      got.map((e) => indexOf(e)),
      Array.from({ length: 100 }, (_, i) => i),
    );
    assert.deepEqual(
      got.map((e) => e.position),
      positions,
    );
  });
});
