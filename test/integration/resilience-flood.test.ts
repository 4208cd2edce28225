import assert from 'node:assert/strict';
import type { Worker } from 'node:worker_threads';
import { after, before, describe, it, type TestContext } from 'node:test';
import { BrokerService } from '#src/broker/broker.service.js';
import type { InboxMessage } from '#src/broker/inbox/ingest-journal.js';
import { FloodPublisher } from '#test/support/flood/flood-publisher.js';
import { metricSum } from '#test/support/flood/prometheus-text.js';
import { storedMeasuredAt } from '#test/support/flood/stored-readings.js';
import { connectPacket, RawMqttConnection, subscribePacket } from '#test/support/mqtt-raw.js';
import { startTestApp, type TestApp } from '#test/support/test-app.js';
import { waitFor } from '#test/support/wait-for.js';

/** The JSON devices of the example fleet. */
const DEVICES = ['sensor-reefer-001', 'sensor-reefer-002', 'sensor-pal-7001'];
/**
 * PUBACKs are held above this many unprocessed messages (BROKER_INBOX_HIGH_WATER, lowered from
 * its 50,000 default so that a burst this test can make in seconds reaches it).
 */
const HIGH_WATER = 300;
/** Each case's readings sit in a day of their own, days back: no case sees another's rows. */
const DAY = 86_400_000;
const caseT0 = (n: number): number => Math.floor(Date.now() / DAY) * DAY - (10 - n) * DAY;

/** The broker thread of a running app (private: reached into only to tell whether it restarted). */
function brokerWorker(app: TestApp): Worker {
  const broker: unknown = app.running.app.get(BrokerService);
  return (broker as { runtime: { worker: Worker } }).runtime.worker;
}

/**
 * Stops handing the inbox's messages to the pipeline until the returned function is called (the
 * broker goes on acknowledging into its inbox meanwhile). Reaches into the broker service's
 * private consumer, as a stalled pipeline looks from the broker's side.
 */
function stallPipeline(app: TestApp): () => void {
  const broker = app.running.app.get(BrokerService);
  const { sink } = broker as unknown as { sink: (messages: InboxMessage[]) => void };
  broker.receiveIngested(undefined);
  return () => broker.receiveIngested(sink);
}

/**
 * Issue 11, item 4: a subscriber or a device dropping mid-flood, a slow consumer and a burst of
 * ten times the base rate neither crash the platform nor lose an acknowledged reading, and the
 * burst is pushed back by QoS 1 flow control instead of being buffered without bound.
 */
describe('resilience under a flood', () => {
  let app: TestApp;

  before(async () => {
    app = await startTestApp({ env: { BROKER_INBOX_HIGH_WATER: String(HIGH_WATER) } });
  });
  after(() => app.close());

  const metrics = async (): Promise<string> => (await app.request('/metrics')).body as string;
  /** A metric that is always exposed (a gauge, an unlabelled counter): absent is an error, not 0. */
  const metric = async (name: string): Promise<number> => {
    const value = metricSum(await metrics(), name);
    if (value === undefined) throw new Error(`${name} is not exposed on /metrics`);
    return value;
  };
  /** A labelled counter: it has no series until its first label is counted. */
  const labelledCount = async (name: string): Promise<number> => metricSum(await metrics(), name) ?? 0;

  const connectPublishers = (t0: number, perDevice: number[], count: number, window: number) =>
    Promise.all(
      perDevice.map((device, i) =>
        FloodPublisher.connect({
          url: app.mqttUrl,
          clientId: `flood-${t0}-${i}`,
          deviceId: DEVICES[device],
          t0,
          firstSeq: i * 1_000_000,
          count,
          window,
        }),
      ),
    );

  const ackedTotal = (publishers: FloodPublisher[]): number =>
    publishers.reduce((n, p) => n + p.acked.size, 0);

  /** Waits until the pipeline has stored everything the inbox acknowledged. */
  const drained = (timeoutMs: number) =>
    waitFor('inbox drained', async () => (await metric('convoi_ingest_inbox_depth')) === 0, timeoutMs, 50);

  const acceptedTotal = () => labelledCount('convoi_ingest_readings_accepted_total');

  /**
   * The accepted count a case counts from, read once the readings of the cases before it are
   * stored. A case that does not wait for its readings (the full subscriber's) leaves its last
   * ones on their way to the pipeline (in the journal's hand-off, or queued in the drain), and
   * the next case, started within milliseconds on a quiet machine, counted them as its own: as
   * if readings were accepted twice (100 to 400 more accepted than stored).
   */
  const acceptedBefore = async (): Promise<number> => {
    await drained(30_000);
    return acceptedTotal();
  };

  /**
   * Every acknowledged reading is stored, once; nothing stored that was not sent; every stored
   * row was accepted once by the pipeline (a message handled twice would be counted twice).
   */
  const assertStoredOnce = (publishers: FloodPublisher[], t0: number, acceptedDelta: number): number => {
    let rows = 0;
    for (const device of new Set(publishers.map((p) => p.options.deviceId))) {
      const stored = storedMeasuredAt(app.dataDir, device, t0, t0 + DAY);
      const unique = new Set(stored);
      assert.equal(unique.size, stored.length, `${device}: a reading stored twice`);
      rows += stored.length;
      const sent = new Set<number>();
      for (const p of publishers.filter((q) => q.options.deviceId === device)) {
        for (let i = 0; i < p.sentCount; i++) sent.add(p.measuredAt(p.options.firstSeq + i));
        for (const seq of p.acked)
          assert.ok(unique.has(p.measuredAt(seq)), `${device}: acknowledged reading ${seq} lost`);
      }
      for (const at of unique) assert.ok(sent.has(at), `${device}: stored a reading never sent (${at})`);
    }
    assert.equal(acceptedDelta, rows, 'each stored reading accepted exactly once');
    return rows;
  };

  const assertHealthy = async (): Promise<void> => {
    const { status, body } = await app.request('/health');
    assert.equal(status, 200);
    assert.equal(body.checks.broker.status, 'up');
  };

  it('keeps every acknowledged reading when an operator subscriber and a device drop mid-flood', async (t: TestContext) => {
    const t0 = caseT0(1);
    const accepted0 = await acceptedBefore();
    const rejected0 = await labelledCount('convoi_ingest_rejected_total');
    const workerBefore = brokerWorker(app);
    const operator = await app.mqtt({ clientId: 'flood-operator' });
    let delivered = 0;
    operator.on('message', () => delivered++);
    operator.on('error', () => undefined);
    await operator.subscribeAsync('#', { qos: 0 });

    const COUNT = 6000;
    const publishers = await connectPublishers(t0, [0, 1, 2, 0], COUNT, 100);
    const victim = publishers[3];
    const started = performance.now();
    const runs = publishers.map((p) => p.run(40_000));
    await waitFor('operator receiving the flood', () => delivered >= 2000, 20_000, 5);
    operator.stream.destroy();
    await waitFor('half the flood acknowledged', () => ackedTotal(publishers) >= (COUNT * 4) / 2, 20_000, 5);
    victim.destroySocket();
    const ends = await Promise.all(runs);
    const seconds = (performance.now() - started) / 1000;
    t.diagnostic(
      `flood: ${ackedTotal(publishers)} acknowledged in ${seconds.toFixed(1)} s; ends ${ends.join(',')}`,
    );

    assert.equal(ends[3], 'closed');
    assert.ok(victim.acked.size < COUNT, 'the device was cut mid-flood');
    assert.deepEqual(ends.slice(0, 3), ['done', 'done', 'done'], 'the other devices finished their flood');
    assert.equal(brokerWorker(app), workerBefore, 'the broker thread did not die');
    await drained(30_000);
    const rows = assertStoredOnce(publishers, t0, (await acceptedTotal()) - accepted0);
    t.diagnostic(`stored ${rows} readings; the cut device had ${victim.acked.size} acknowledged`);
    assert.equal(await labelledCount('convoi_ingest_rejected_total'), rejected0, 'nothing rejected');
    await assertHealthy();
    await Promise.all(publishers.map((p) => p.end()));
  });

  /** A raw subscriber on `#` that reads nothing after its SUBACK (its TCP buffers fill up). */
  const stalledSubscriber = async (clientId: string): Promise<RawMqttConnection> => {
    const stalled = await RawMqttConnection.open(app.running.app.get(BrokerService).port());
    await stalled.write(connectPacket({ clientId }));
    assert.equal(await stalled.connackCode(), 0);
    await stalled.write(subscribePacket(1, [['#', 0]]));
    assert.ok(await stalled.waitForPacket(9), 'SUBACK');
    stalled.socket.pause();
    return stalled;
  };

  it('goes on ingesting while a subscriber lags behind a flood, with memory bounded', async (t: TestContext) => {
    const t0 = caseT0(2);
    const accepted0 = await acceptedBefore();
    const stalled = await stalledSubscriber('flood-lagging');
    const rss0 = process.memoryUsage.rss();
    let rssMax = rss0;
    const sampler = setInterval(() => (rssMax = Math.max(rssMax, process.memoryUsage.rss())), 50);
    const COUNT = 6000;
    const publishers = await connectPublishers(t0, [0, 1, 2], COUNT, 100);
    const started = performance.now();
    const ends = await Promise.all(publishers.map((p) => p.run(30_000)));
    const seconds = (performance.now() - started) / 1000;
    await drained(30_000);
    clearInterval(sampler);
    const growthMb = (rssMax - rss0) / 2 ** 20;
    t.diagnostic(
      `lagging subscriber: ${ackedTotal(publishers)} acknowledged in ${seconds.toFixed(1)} s; ` +
        `RSS +${growthMb.toFixed(0)} MB`,
    );

    assert.deepEqual(ends, ['done', 'done', 'done'], 'every device finished its flood');
    assertStoredOnce(publishers, t0, (await acceptedTotal()) - accepted0);
    assert.ok(growthMb < 300, `RSS grew by ${growthMb.toFixed(0)} MB`);
    await assertHealthy();
    stalled.destroy();
    await Promise.all(publishers.map((p) => p.end()));
  });

  // Aedes acknowledges a publish once it is written to every subscriber: a full subscriber
  // socket must be cut (broker limit maxOutboundBytes), not waited for.
  it('keeps acknowledging readings while a subscriber that reads nothing is full', async (t: TestContext) => {
    const t0 = caseT0(3);
    const accepted0 = await acceptedBefore();
    const stalled = await stalledSubscriber('flood-full');
    // 32 KiB messages on a topic no device owns (an operator pushing a file): they fill the
    // stalled subscriber's socket buffers (~4 MB on loopback here) in about a second.
    const bulkPublisher = await FloodPublisher.connect({
      url: app.mqttUrl,
      clientId: `flood-bulk-${t0}`,
      deviceId: DEVICES[0],
      t0,
      firstSeq: 0,
      count: 512,
      window: 8,
      bulk: { topic: 'ops/files/firmware', payload: Buffer.alloc(32 * 1024, 0x5a) },
    });
    const bulkRun = bulkPublisher.run(12_000);
    const publishers = await connectPublishers(t0, [1, 2], 3000, 100);
    const ends = await Promise.all(publishers.map((p) => p.run(10_000)));
    t.diagnostic(
      `full subscriber: ${ackedTotal(publishers)} of 6000 readings acknowledged in 10 s; ` +
        `bulk ${bulkPublisher.acked.size * 32} KiB`,
    );
    stalled.destroy();
    await bulkRun;
    await Promise.all([...publishers, bulkPublisher].map((p) => p.end()));
    assert.deepEqual(ends, ['done', 'done'], 'every reading acknowledged while the subscriber is full');
    await drained(30_000);
    assertStoredOnce(publishers, t0, (await acceptedTotal()) - accepted0);
  });

  it('loses no acknowledged reading when the broker thread dies mid-flood, and restarts it', async (t: TestContext) => {
    const t0 = caseT0(4);
    const accepted0 = await acceptedBefore();
    const broker = app.running.app.get(BrokerService);
    const COUNT = 6000;
    const publishers = await connectPublishers(t0, [0, 1, 2], COUNT, 100);
    const runs = publishers.map((p) => p.run(30_000));
    await waitFor('a third of the flood acknowledged', () => ackedTotal(publishers) >= COUNT, 20_000, 2);
    const dead = brokerWorker(app);
    await dead.terminate();
    const ackedAtKill = ackedTotal(publishers);
    const ends = await Promise.all(runs);
    await waitFor('a new broker thread', () => brokerWorker(app) !== dead && broker.isListening(), 15_000);
    await drained(30_000);
    const rows = assertStoredOnce(publishers, t0, (await acceptedTotal()) - accepted0);
    t.diagnostic(`broker thread killed after ${ackedAtKill} PUBACKs; ${rows} readings stored`);

    assert.deepEqual(ends, ['closed', 'closed', 'closed'], 'the devices were cut by the dying thread');
    assert.ok(ackedTotal(publishers) < COUNT * 3, 'killed mid-flood');
    await assertHealthy();
    await Promise.all(publishers.map((p) => p.end()));
  });

  it('pushes a burst of ten times the base rate back with QoS 1 flow control, loses nothing and drains', async (t: TestContext) => {
    const t0 = caseT0(5);
    const accepted0 = await acceptedBefore();
    const held0 = await metric('convoi_ingest_inbox_held_acks_total');
    const WINDOW = 200;
    const BASE_PER_S = 300;
    const COUNT = 7000;
    const publishers = await connectPublishers(t0, [0, 1, 2], COUNT, WINDOW);
    let depthMax = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) depthMax = Math.max(depthMax, await metric('convoi_ingest_inbox_depth'));
    })();
    for (const p of publishers) p.pace(BASE_PER_S);
    const runs = publishers.map((p) => p.run(30_000));
    await waitFor('a second at the base rate', () => ackedTotal(publishers) >= BASE_PER_S * 3, 10_000, 5);
    const burstFrom = ackedTotal(publishers);
    const started = performance.now();
    for (const p of publishers) p.pace(BASE_PER_S * 10);
    // The pipeline stalls for a moment (a long GC pause, a slow disk) while the burst goes on: the
    // broker must hold PUBACKs once HIGH_WATER messages wait, not buffer them without bound.
    const resume = stallPipeline(app);
    await waitFor(
      'PUBACKs held',
      async () => (await metric('convoi_ingest_inbox_held_acks_total')) > held0,
      10_000,
      20,
    );
    resume();
    const ends = await Promise.all(runs);
    const seconds = (performance.now() - started) / 1000;
    await drained(30_000);
    sampling = false;
    await sampler;
    const held = (await metric('convoi_ingest_inbox_held_acks_total')) - held0;
    const burstRate = (ackedTotal(publishers) - burstFrom) / seconds;
    t.diagnostic(
      `burst: asked ${BASE_PER_S * 30}/s, got ${burstRate.toFixed(0)}/s for ${seconds.toFixed(1)} s; ` +
        `inbox depth max ${depthMax}; PUBACKs held ${held}`,
    );

    assert.deepEqual(ends, ['done', 'done', 'done']);
    assert.ok(held > 0, 'the burst outran the stalled pipeline and was pushed back (PUBACKs held)');
    // Held PUBACKs stop each client once its window is full: above the high-water mark the
    // inbox holds at most one committed-and-acknowledged window per client plus one held window.
    assert.ok(depthMax <= HIGH_WATER + 2 * WINDOW * publishers.length, `inbox depth reached ${depthMax}`);
    assertStoredOnce(publishers, t0, (await acceptedTotal()) - accepted0);
    await assertHealthy();
    await Promise.all(publishers.map((p) => p.end()));
  });
});
