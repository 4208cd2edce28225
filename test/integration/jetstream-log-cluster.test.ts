// The input log on a 3-node JetStream cluster with 3 replicas: the node leading the stream is
// killed (SIGKILL) and the log goes on on the other two, with every acknowledged entry. An append
// that timed out meanwhile may have been stored, then stored again by its retry: that repeat is
// the processor's to drop (its readings' identity), so it is allowed here only for such appends.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { partitionOf } from '#src/contracts/partition.js';
import type { LoggedEntry } from '#src/log/log-entry.js';
import type { JetStreamLog } from '#src/log/jetstream/jetstream-log.js';
import { openLog } from '#test/support/jetstream-log.js';
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
    for (let i = 0; i < 50; i++) positions.push(await log.appender.append(entry(i)));

    const nc = await connect({ servers: cluster.url.split(',') });
    const jsm = await jetstreamManager(nc);
    const info = await waitFor('the stream info', () => jsm.streams.info('CONVOI_READINGS'), 30_000, 250);
    await nc.close();
    assert.equal(info.config.num_replicas, 3);
    const leader = info.cluster?.leader;
    assert.ok(leader, 'the stream has a leader');
    await cluster.node(leader).kill();

    // Appends retried until a new leader takes them.
    const retried = new Set<number>();
    for (let i = 50; i < 100; i++) {
      positions.push(
        await waitFor(
          `append ${i} after the failover`,
          () =>
            log.appender.append(entry(i)).catch(() => {
              retried.add(i);
              return undefined;
            }),
          30_000,
          100,
        ),
      );
    }
    // A JetStream request can time out while the cluster settles after the failover: read again.
    const got = await waitFor(
      'all 100 read after the failover',
      () => readThrough(log, new Map([[partitionOf(CONTAINER, 8), 0]]), 99).catch(() => undefined),
      60_000,
      250,
    );
    const firsts = got.filter((e, k) => got.findIndex((o) => indexOf(o) === indexOf(e)) === k);
    assert.deepEqual(
      firsts.map(indexOf),
      Array.from({ length: 100 }, (_, i) => i),
      'every acknowledged entry, in order',
    );
    const repeated = [...new Set(got.filter((e) => !firsts.includes(e)).map(indexOf))];
    assert.deepEqual(
      repeated.filter((i) => !retried.has(i)),
      [],
      `stored twice only when retried (${repeated.length} of ${retried.size} retried)`,
    );
    for (let i = 0; i < 100; i++)
      assert.ok(
        got.some((e) => indexOf(e) === i && e.position === positions[i]),
        `entry ${i} at the position its append resolved with`,
      );
  });
});

/** Reads `after` until the entry of index `last` arrived (or fails after 15 s), then stops. */
async function readThrough(
  log: JetStreamLog,
  after: ReadonlyMap<number, number>,
  last: number,
): Promise<LoggedEntry[]> {
  const got: LoggedEntry[] = [];
  const tail = await log.reader.read(after, (e) => {
    got.push(e);
  });
  try {
    await waitFor(`entry ${last} read`, () => got.some((e) => indexOf(e) === last), 15_000);
  } finally {
    await tail.stop();
  }
  return got;
}
