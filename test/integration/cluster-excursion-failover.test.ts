// Cluster mode (ARCHITECTURE.md §9), the state across a takeover: a chilled-4 shipment's container
// goes above +4 °C through an edge; the processor applying its partition checkpoints the excursion
// under way in PostgreSQL and is killed (SIGKILL); the other processor takes the partition over,
// restores the state and the partition's position its giver stored, and reads the log from there.
// The excursion's alert is raised once, when the tolerated 15 min run out counted from the
// killed processor's minute 5, and every acknowledged reading is stored once.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import mqtt, { type MqttClient } from 'mqtt';
import pg from 'pg';
import { partitionOf } from '#src/contracts/partition.js';
import { LOCK_SPACE } from '#src/leases/advisory-lock.keys.js';
import { ClusterHarness } from '#test/support/cluster-harness.js';
import { CHILLED_EXCURSION, startChilledShipment } from '#test/support/chilled-excursion.js';
import { EdgeNodes, type EdgeNode } from '#test/support/edge-nodes.js';
import { lockHolders, processOfSession } from '#test/support/lease-participants.js';
import { excursionProbes } from '#test/support/cluster-excursion.js';
import { waitFor } from '#test/support/wait-for.js';

const PARTITIONS = 16;
const TAKEOVER_MS = 10_000;
const { device: DEVICE, container: CONTAINER, alertAt: ALERT_AT } = CHILLED_EXCURSION;
const PARTITION = partitionOf(CONTAINER, PARTITIONS);
/** The processor of the container's partition is killed after this minute's reading is checkpointed. */
const KILL_AFTER = 12;
const LAST = 24;

describe('cluster: a processor killed mid-excursion, its partition taken over', () => {
  let cluster: ClusterHarness;
  let admin: pg.Pool;
  let edge: EdgeNode;
  let api: EdgeNode;
  let processing: EdgeNodes;
  let processors: EdgeNode[];
  let device: MqttClient | undefined;
  const adminKey = `cv_test_${randomBytes(32).toString('base64url')}`;
  // Minute 0 lies in the past, so that the last reading is not in the future.
  const t0 = Math.floor(Date.now() / 60_000) * 60_000 - LAST * 60_000;

  const { request, stored, send, checkpointAfter } = excursionProbes(
    () => ({ admin, apiPort: api.httpPort, device }),
    { adminKey, t0, partition: PARTITION },
  );

  before(async () => {
    cluster = await ClusterHarness.start({
      ...CHILLED_EXCURSION.env,
      PARTITIONS: String(PARTITIONS),
      CONVOI_ADMIN_KEY: adminKey,
    });
    admin = cluster.admin;
    // One at a time: the first start migrates the shared database.
    api = await cluster.role('api').start();
    // Before the processors start: each loads the active shipments at its start.
    await startChilledShipment(request, t0);
    edge = await cluster.role('edge').start();
    ({ group: processing, nodes: processors } = await cluster.startProcessors(2, PARTITIONS));
    device = await mqtt.connectAsync(`mqtt://127.0.0.1:${edge.mqttPort}`, {
      clientId: DEVICE,
      clean: false,
      reconnectPeriod: 200,
    });
  });
  after(async () => {
    await device?.endAsync(true);
    await cluster?.dispose();
  });

  it('raises the excursion’s alert once, on time, and stores every reading once', async () => {
    for (let m = 0; m <= KILL_AFTER; m++) await send(m);
    // Minute KILL_AFTER is applied (it is stored after): a checkpoint that starts after one that
    // was written now covers it.
    const first = await checkpointAfter('a checkpoint of the partition', Date.now());
    const given = await checkpointAfter('the next one', first.writtenAt);

    const [holder] = (await lockHolders(admin, LOCK_SPACE.partition)).get(PARTITION) ?? [];
    const owner = await processOfSession(admin, holder);
    const killed = processors.find((p) => p.child.pid === owner);
    assert.ok(killed !== undefined, `partition ${PARTITION} is held by a processor (pid ${owner})`);
    await processing.kill(killed);
    const killedAt = Date.now();
    const takenOver = await cluster.soleHolderAfter(PARTITIONS, killedAt, TAKEOVER_MS + 5000);
    assert.ok(takenOver <= TAKEOVER_MS, `partitions owned again ${takenOver} ms after the kill`);
    const taken = await checkpointAfter("the taker's first checkpoint of it", Date.now());
    assert.ok(
      taken.position >= given.position && given.position > 0,
      `the taker reads on from the giver's position (${given.position}), not from ${taken.position}`,
    );

    for (let m = KILL_AFTER + 1; m <= LAST; m++) await send(m);
    const alerts = await waitFor(
      'the alert',
      async () => {
        const { body } = await request(`/alerts?containerId=${CONTAINER}&rule=temperature-high`);
        const found = body.items as { id: string; openedAt: number }[];
        return found.length > 0 && found;
      },
      10_000,
      100,
    );
    assert.deepEqual(
      alerts.map((a) => (a.openedAt - t0) / 60_000),
      [ALERT_AT],
      'one alert, opened when the tolerated 15 min ran out, counted from the killed processor’s minute 5',
    );
    const { rows } = await admin.query<{ n: string }>(
      "SELECT count(*) AS n FROM alerts WHERE container_id = $1 AND rule_id = 'temperature-high'",
      [CONTAINER],
    );
    assert.equal(rows[0].n, '1', 'one alert row in PostgreSQL');
    assert.deepEqual(
      await stored(),
      Array.from({ length: LAST + 1 }, (_, m) => m),
      'every acknowledged reading stored, once',
    );
    // The first processor held every partition before the second joined: killing the second, the
    // first takes back a partition it gave away (its states dropped then, restored now).
    const which = processors.indexOf(killed) === 0 ? 'first' : 'second';
    process.stdout.write(
      `# partition ${PARTITION} owned again ${takenOver} ms after the ${which} processor's kill\n`,
    );
  });
});
