// The input log on a real nats-server (Debian's 2.9) with JetStream: appends, ordered reads per
// partition from a position, one message per partition per turn, forgetting, and the append window.
import assert from 'node:assert/strict';
import { afterEach, before, beforeEach, describe, it } from 'node:test';
import { connect } from '@nats-io/transport-node';
import { partitionOf } from '#src/contracts/partition.js';
import type { LogEntry } from '#src/log/log-entry.js';
import type { JetStreamLog } from '#src/log/jetstream/jetstream-log.js';
import { openLog, readUntil } from '#test/support/jetstream-log.js';
import { NatsServerProcess, natsServerInstalled } from '#test/support/nats-server.js';
import { waitFor } from '#test/support/wait-for.js';

/** Three containers in three different partitions of 8. */
const CONTAINERS = ['REEFER-001', 'REEFER-002', 'REEFER-004'];
const partitions = new Map(CONTAINERS.map((c) => [partitionOf(c, 8), 0]));

const entry = (containerId: string, i: number): LogEntry => ({
  containerId,
  deviceId: `sensor-${containerId}`,
  topic: `v1/devices/sensor-${containerId}/telemetry`,
  payload: Buffer.from(JSON.stringify({ i })),
  receivedAt: 1_765_000_000_000 + i,
});
const indexOf = (payload: Uint8Array): number =>
  (JSON.parse(Buffer.from(payload).toString()) as { i: number }).i;

describe('input log on JetStream', { skip: !natsServerInstalled() }, () => {
  // One stream holds the readings subjects on a server: each test has a server of its own.
  let server: NatsServerProcess;
  const opened: JetStreamLog[] = [];
  const open = async (overrides: Record<string, string> = {}): Promise<JetStreamLog> => {
    const log = await openLog(server.url, overrides);
    opened.push(log);
    return log;
  };

  before(() => {
    assert.equal(new Set(partitions.keys()).size, 3, 'the containers are in three partitions');
  });
  beforeEach(async () => {
    server = new NatsServerProcess();
    await server.start();
  });
  afterEach(async () => {
    for (const log of opened.splice(0)) await log.close();
    await server.dispose();
  });

  it("reads each partition in append order, the stream sequence as each entry's position", async () => {
    const log = await open();
    const appended = await Promise.all(
      Array.from({ length: 300 }, (_, i) => log.appender.append(entry(CONTAINERS[i % 3], i))),
    );
    const got = await readUntil(log, partitions, 300);
    assert.equal(got.length, 300);
    for (const c of CONTAINERS) {
      const mine = got.filter((e) => e.containerId === c);
      assert.deepEqual(
        mine.map((e) => indexOf(e.payload)),
        Array.from({ length: 100 }, (_, k) => k * 3 + CONTAINERS.indexOf(c)),
        `${c} in append order`,
      );
      assert.ok(mine.every((e) => e.partition === partitionOf(c, 8)));
      assert.deepEqual(
        mine.map((e) => e.position),
        mine.map((e) => appended[indexOf(e.payload)]),
        'positions are what append resolved with',
      );
    }
    const first = got.find((e) => indexOf(e.payload) === 0);
    assert.deepEqual(
      { ...first, payload: undefined, position: undefined, partition: undefined },
      {
        ...entry(CONTAINERS[0], 0),
        payload: undefined,
        position: undefined,
        partition: undefined,
      },
    );
  });

  it("reads on from each partition's position after a restart of the reader: nothing lost, nothing again", async () => {
    const log = await open();
    for (let i = 0; i < 90; i++) await log.appender.append(entry(CONTAINERS[i % 3], i));
    const firstRun = await readUntil(log, partitions, 30);
    // Each partition's checkpoint: the last position the first run delivered in it.
    const checkpoint = new Map(partitions);
    for (const e of firstRun)
      checkpoint.set(e.partition, Math.max(checkpoint.get(e.partition) ?? 0, e.position));
    const covered = [...checkpoint].reduce(
      (n, [p, pos]) => n + firstRun.filter((e) => e.partition === p && e.position <= pos).length,
      0,
    );
    const secondRun = await readUntil(log, checkpoint, 90 - covered);
    for (const e of secondRun)
      assert.ok(e.position > (checkpoint.get(e.partition) ?? 0), 'nothing at or below a position');
    const seen = [...firstRun.filter((e) => e.position <= (checkpoint.get(e.partition) ?? 0)), ...secondRun];
    assert.deepEqual(
      seen.map((e) => indexOf(e.payload)).sort((a, b) => a - b),
      Array.from({ length: 90 }, (_, i) => i),
      'every entry exactly once',
    );
  });

  it("stores one partition's appends of one turn as one message, in order, at one position", async () => {
    const log = await open();
    const turn = Array.from({ length: 30 }, (_, i) => log.appender.append(entry(CONTAINERS[i % 3], i)));
    const positions = await Promise.all(turn);
    for (let c = 0; c < 3; c++) {
      const mine = positions.filter((_, i) => i % 3 === c);
      assert.ok(
        mine.every((p) => p === mine[0]),
        `${CONTAINERS[c]}'s ten appends share a position`,
      );
    }
    assert.deepEqual(
      [...new Set(positions)].sort((a, b) => a - b),
      [1, 2, 3],
      'three messages: one per partition',
    );
    const later = await log.appender.append(entry(CONTAINERS[0], 30));
    assert.equal(later, 4, "the next turn's append is a message of its own");
    const got = await readUntil(log, partitions, 31);
    const first = got.filter((e) => e.containerId === CONTAINERS[0]);
    assert.deepEqual(
      first.map((e) => [indexOf(e.payload), e.position]),
      [0, 3, 6, 9, 12, 15, 18, 21, 24, 27, 30].map((i) => [i, i === 30 ? later : positions[0]]),
    );
  });

  it('starts another message past 64 KiB, and fails every append of a message the stream refuses', async () => {
    const log = await open({ NATS_MAX_MB: '1' });
    const sized = (i: number, kib: number): LogEntry => ({
      ...entry(CONTAINERS[0], i),
      payload: Buffer.alloc(kib * 1024, i),
    });
    const split = await Promise.all([0, 1, 2].map((i) => log.appender.append(sized(i, 30))));
    assert.deepEqual(split, [1, 1, 2], 'two of 30 KiB fit in one message, a third does not');
    // Fill the stream (1 MiB, `discard: new`) until a message of 60 KiB is refused, then a turn
    // of four entries of 15 KiB: one message a little larger, refused whole.
    for (let i = 0; ; i++) {
      const stored = await log.appender.append(sized(3, 60)).then(
        () => true,
        () => false,
      );
      if (!stored) break;
      assert.ok(i < 20, 'the stream fills');
    }
    const outcomes = await Promise.allSettled([4, 5, 6, 7].map((i) => log.appender.append(sized(i, 15))));
    assert.deepEqual(
      outcomes.map((o) => o.status),
      ['rejected', 'rejected', 'rejected', 'rejected'],
    );
  });

  it('forgets a partition up to a position, and only that partition', async () => {
    const log = await open();
    const positions: number[] = [];
    for (let i = 0; i < 12; i++) positions.push(await log.appender.append(entry(CONTAINERS[i % 3], i)));
    const p0 = partitionOf(CONTAINERS[0], 8);
    await log.reader.forget(p0, positions[6]); // entries 0, 3, 6 of container 0
    const got = await readUntil(log, partitions, 9);
    assert.deepEqual(
      got.filter((e) => e.partition === p0).map((e) => indexOf(e.payload)),
      [9],
    );
    assert.equal(got.filter((e) => e.partition !== p0).length, 8);
  });

  it('tells how far a read has come past the other partitions; forgetAll drops every partition up to there', async () => {
    const log = await open();
    const positions: number[] = [];
    for (let i = 0; i < 12; i++) positions.push(await log.appender.append(entry(CONTAINERS[i % 3], i)));
    const p0 = partitionOf(CONTAINERS[0], 8);
    const got: number[] = [];
    const tail = await log.reader.read(new Map([[p0, 0]]), (e) => {
      got.push(indexOf(e.payload));
    });
    let through = 0;
    try {
      // Container 0's last entry is the 10th append: the read goes by the two after it.
      await waitFor(
        'the read past the last append',
        async () => (through = await tail.readThrough()) >= positions[11],
      );
      assert.deepEqual(got, [0, 3, 6, 9], 'every entry of the partition up to there handed over');
    } finally {
      await tail.stop();
    }
    await log.reader.forgetAll(through);
    const next = await log.appender.append(entry(CONTAINERS[1], 12));
    const left = await readUntil(log, partitions, 1);
    assert.deepEqual(
      left.map((e) => e.position),
      [next],
      'only what came after is left, of any partition',
    );
  });

  it('refuses appends once the stream is full, rather than dropping entries nobody read', async () => {
    const log = await open({ NATS_MAX_MB: '1' });
    const big = (i: number): LogEntry => ({
      ...entry(CONTAINERS[0], i),
      payload: Buffer.alloc(16 * 1024, i),
    });
    let stored = 0;
    let refusal: unknown;
    for (let i = 0; i < 200 && refusal === undefined; i++) {
      await log.appender.append(big(i)).then(
        () => stored++,
        (err: unknown) => (refusal = err),
      );
    }
    assert.ok(refusal instanceof Error, 'an append was refused within 200 of 16 KiB');
    assert.match(refusal.message, /log refused the append: .*(maximum bytes|resource)/i);
    assert.ok(stored > 30 && stored < 70, `about 1 MiB stored (${stored} entries)`);
    const got = await readUntil(log, new Map([[partitionOf(CONTAINERS[0], 8), 0]]), stored);
    assert.equal(got[0].payload[0], 0, 'the first entry is still there');
  });

  it('skips bytes that are not an entry and goes on past a handler that throws', async () => {
    const log = await open();
    const p0 = partitionOf(CONTAINERS[0], 8);
    const first = await log.appender.append(entry(CONTAINERS[0], 0));
    const nc = await connect({ servers: server.url });
    await nc.request(`convoi.readings.${p0}`, Buffer.from('{"not":"an entry"}'));
    await nc.close();
    const last = await log.appender.append(entry(CONTAINERS[0], 2));
    const got: number[] = [];
    const tail = await log.reader.read(new Map([[p0, 0]]), (e) => {
      got.push(e.position);
      if (e.position === first) throw new Error('a stage failed');
    });
    try {
      await waitFor('the second entry read', () => got.includes(last));
    } finally {
      await tail.stop();
    }
    assert.deepEqual(got, [first, last], 'the foreign message between them skipped');
    assert.equal(last, first + 2);
  });

  it('keeps at most the window of messages in flight; the others wait their turn', async () => {
    const log = await open({ NATS_APPEND_WINDOW: '1' });
    // One turn, three partitions: three messages, one slot.
    const appends = Array.from({ length: 9 }, (_, i) => log.appender.append(entry(CONTAINERS[i % 3], i)));
    await new Promise<void>((turnEnd) => setImmediate(turnEnd));
    assert.deepEqual(log.appender.pending, { inFlight: 1, waiting: 2 }, 'all but the window wait');
    const positions = await Promise.all(appends);
    assert.deepEqual(log.appender.pending, { inFlight: 0, waiting: 0 });
    assert.deepEqual(positions.slice(0, 3), [1, 2, 3], 'stored in the order of the first append calls');
    assert.deepEqual(positions.slice(3), [...positions.slice(0, 3), ...positions.slice(0, 3)]);
  });
});
