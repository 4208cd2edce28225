// Issue 24's faults on the whole cluster (ARCHITECTURE.md §9): 2 edges on one Redis behind HAProxy
// (PROXY protocol v2, leastconn), 3 processors and 2 api nodes, each a convoi child process, on one
// nats-server and one PostgreSQL, all real. A simulated fleet publishes QoS 1 through HAProxy and
// lands on both edges. nats-server is stopped 20 s (no PUBACK for what is sent meanwhile), then
// PostgreSQL 20 s (the log keeps acknowledging), each started again on its port and its data;
// then an edge is killed (SIGKILL) and its devices reconnect through HAProxy to the other. After
// each, every acknowledged reading is in PostgreSQL and served by both api nodes exactly once, and
// applied once: each copy of a reading the log took beyond the first (a device's resend) was
// dropped by a processor as a repeat.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it, type TestContext } from 'node:test';
import { ClusterTopology } from '#test/support/cluster-topology.js';
import { DeviceFleet, readingKey, type SentReading } from '#test/support/device-fleet.js';
import { haproxyInstalled } from '#test/support/haproxy.js';
import type { LogTap } from '#test/support/log-tap.js';
import { natsServerInstalled } from '#test/support/nats-server.js';
import { redisServerInstalled } from '#test/support/redis-server.js';
import { waitFor } from '#test/support/wait-for.js';

const SIZE = { partitions: 16, devices: 20, edges: 2, processors: 3, apis: 2 };
/** Each device sends a reading every 250 ms: 80 a second for the fleet. */
const INTERVAL_MS = 250;
/** A bound on each device's readings in one phase (a phase lasts ~30 s: ~120 readings). */
const MAX_PER_DEVICE = 400;
/** How long each engine stays down: the issue's 20 s. */
const OUTAGE_MS = 20_000;
/** Readings acknowledged after each phase's fault before the phase ends. */
const AFTER_FAULT = SIZE.devices * 8;

describe(
  'the full cluster topology under kill -9 and engine outages',
  { skip: !haproxyInstalled() || !redisServerInstalled() || !natsServerInstalled() },
  () => {
    let topology: ClusterTopology;
    let fleet: DeviceFleet;
    let tap: LogTap;

    before(async () => {
      topology = await ClusterTopology.start(SIZE);
      tap = await topology.tapLog();
      fleet = new DeviceFleet(topology.haproxy.port, SIZE.devices, INTERVAL_MS, MAX_PER_DEVICE);
      await fleet.connect();
    });
    after(async () => {
      await fleet?.close();
      await tap?.stop();
      await topology?.dispose();
    });

    const connections = (edge: number): Promise<number> =>
      topology.metric(topology.edges[edge], 'convoi_broker_connections');

    /** Runs the fleet around `fault` until AFTER_FAULT readings are acknowledged after it, then waits for every PUBACK. */
    const streamThrough = async <T>(fault: () => Promise<T>): Promise<T> => {
      const from = Date.now();
      fleet.start();
      await waitFor('the stream under way', () => fleet.acknowledgedSince(from) >= AFTER_FAULT, 20_000, 50);
      const result = await fault();
      const back = Date.now();
      await waitFor(
        'the stream going on after the fault',
        () => fleet.acknowledgedSince(back) >= AFTER_FAULT,
        60_000,
        50,
      );
      fleet.stop();
      await fleet.allAcknowledged(60_000);
      return result;
    };

    /**
     * Takes an engine down (its port closed) for the issue's 20 s, then starts it again on its
     * port and data; when it was down and when it was started again.
     */
    const outage = async (
      engine: 'nats-server' | 'PostgreSQL',
    ): Promise<{ stoppedAt: number; restartAt: number }> => {
      const { nats, postgres } = topology.cluster;
      const [stop, start] =
        engine === 'nats-server'
          ? [() => nats.stop(), () => nats.start()]
          : [() => postgres.pause(), () => postgres.resume()];
      await stop();
      const stoppedAt = Date.now();
      // The outage itself: a duration to live through, not a condition to await.
      await sleep(OUTAGE_MS);
      const restartAt = Date.now();
      await start();
      return { stoppedAt, restartAt };
    };

    /** Every reading sent so far is acknowledged: each is stored once in PostgreSQL, served once by both api nodes, in the log once. */
    const everyAcknowledgedStoredOnce = async (t: TestContext): Promise<void> => {
      const sent = fleet.sent;
      const keys = new Set(sent.map((r) => readingKey(r.deviceId, r.measuredAt)));
      assert.equal(keys.size, sent.length, 'the fleet sends one key per reading');
      const stored = await waitFor(
        'every acknowledged reading in PostgreSQL',
        async () => {
          const rows = await topology.storedInPostgres();
          return [...keys].every((k) => rows.has(k)) && rows;
        },
        60_000,
        250,
      );
      assert.deepEqual(
        [...stored.keys()].filter((k) => !keys.has(k)),
        [],
        'nothing stored that was not sent',
      );
      const firstAt = Math.min(...sent.map((r) => r.measuredAt));
      for (const api of topology.apis) {
        const served = await topology.storedViaApi(api, SIZE.devices, firstAt);
        assert.deepEqual(
          [...keys].filter((k) => served.get(k) !== 1),
          [],
          `api :${api.httpPort} serves each once`,
        );
        assert.equal(served.size, keys.size);
      }
      // The readings table merges a key met again, so it cannot show a reading processed twice;
      // the processors' repeats can: the log holds a resend whose first copy got in twice (the
      // edges do not drop resends), and its second copy must be dropped, not applied.
      // The tap is the harness's own consumer: after nats-server's restart it may take seconds to
      // come back (it remakes itself when stalled, log-tap.ts), and on a busy machine (a full test
      // run) the processors may have made the log forget entries it had not read yet. Then only
      // what it saw is judged: every repeat among those must have been dropped.
      await waitFor(
        'every acknowledged reading seen in the log, or the tap behind the log forgetting',
        () => tap.missed > 0 || [...keys].every((k) => tap.copies.has(k)),
        60_000,
        250,
      ).catch((err: Error) => {
        const unseen = [...keys].filter((k) => !tap.copies.has(k)).length;
        throw new Error(`${err.message}: ${unseen} unseen; ${tap.describe()}`);
      });
      const resent = tap.resent;
      const { dropped } = await waitFor(
        'the resends dropped',
        async () => {
          const n = await topology.repeatsDropped();
          return n >= resent ? { dropped: n } : undefined;
        },
        10_000,
        250,
      );
      // More only when a takeover replayed a resend with its first copy (both after the
      // checkpoint it restored): that pair is dropped again.
      assert.ok(dropped >= resent, `each resend dropped once: ${dropped} of ${resent}`);
      t.diagnostic(
        `${sent.length} readings acknowledged, each stored once; ${fleet.resends} sent again after MQTT.js failed them; ${resent} in the log twice, ${dropped} dropped as repeats; ${tap.describe()}`,
      );
    };

    it('spreads the fleet over both edges through HAProxy', async () => {
      const [a, b] = await Promise.all([connections(0), connections(1)]);
      assert.ok(a > 0 && b > 0, `devices on the edges: ${a} and ${b}`);
      assert.equal(a + b, SIZE.devices);
      // HAProxy's health checks (a LOCAL header, then a reset: five a second here) are no
      // refusals, even those reset before the edge looked at them.
      for (const edge of topology.edges) {
        const untrusted = 'convoi_broker_rejected_total{reason="proxy_header_untrusted"}';
        assert.equal(await topology.metric(edge, untrusted), 0);
      }
    });

    it('holds the PUBACKs while nats-server is stopped for 20 s; then stores every acknowledged reading once', async (t) => {
      const { stoppedAt, restartAt } = await streamThrough(() => outage('nats-server'));
      // Sent once the server was gone: none may be acknowledged before it was started again.
      const inWindow = fleet.sentBetween(stoppedAt, restartAt);
      assert.ok(
        inWindow.length >= SIZE.devices * 40,
        `${inWindow.length} readings sent while the log was away`,
      );
      const early = inWindow.filter((r) => (r.ackedAt ?? 0) < restartAt);
      assert.deepEqual(early.map(describeAck(restartAt)), [], 'no PUBACK while the log is away');
      await everyAcknowledgedStoredOnce(t);
    });

    it('acknowledges into the log while PostgreSQL is stopped for 20 s; then stores every acknowledged reading once', async (t) => {
      const { stoppedAt, restartAt } = await streamThrough(() => outage('PostgreSQL'));
      // An edge's PUBACK waits for the log, not for PostgreSQL: what the processors cannot store
      // meanwhile waits in the log, and they store it once they hold their partitions again.
      const ackedInWindow = fleet.sent.filter(
        (r) => r.ackedAt !== undefined && r.ackedAt >= stoppedAt && r.ackedAt < restartAt,
      );
      assert.ok(
        ackedInWindow.length >= SIZE.devices * 40,
        `${ackedInWindow.length} acknowledged while PostgreSQL was away`,
      );
      await everyAcknowledgedStoredOnce(t);
    });

    it('moves the devices of an edge killed mid-stream to the other through HAProxy; stores every acknowledged reading once', async (t) => {
      const onKilled = await connections(0);
      assert.ok(onKilled > 0 && onKilled < SIZE.devices, `${onKilled} devices on the edge to kill`);
      const connectsBefore = [...fleet.connects];
      await streamThrough(async () => {
        await topology.edgeGroup.kill(topology.edges[0]);
        await waitFor(
          'every device on the surviving edge',
          async () => (await connections(1)) === SIZE.devices,
          20_000,
          100,
        );
      });
      const reconnected = fleet.connects.filter((n, d) => n > connectsBefore[d]).length;
      assert.ok(reconnected >= onKilled, `${reconnected} devices reconnected by themselves`);
      await everyAcknowledgedStoredOnce(t);
    });
  },
);

const describeAck =
  (restartAt: number) =>
  (r: SentReading): string =>
    `${r.deviceId} sent ${r.sentAt - restartAt} ms, acknowledged ${r.ackedAt === undefined ? 'never' : `${r.ackedAt - restartAt} ms`} from the restart`;
