// Cluster mode (ARCHITECTURE.md §9), the effects a processor decides across a takeover by one that
// never comes back: the alert of a chilled-4 excursion is raised by the processor of the
// container's partition while PostgreSQL does not take alert writes (the test holds the alerts
// table in SHARE mode), so the change waits in that processor's local outbox. Checkpoints go on
// meanwhile. The processor is killed (SIGKILL) and never started again; the other takes the
// partition over from its checkpoint. The alert is stored once, opened at the reading that raised
// it: a checkpoint whose state says "raised" while the alert is only in the dead node's outbox
// would have lost it (the new owner restores "raised" and never raises it again).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
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
const CHECKPOINT_MS = 1000;
const { device: DEVICE, container: CONTAINER, alertAt: ALERT_AT } = CHILLED_EXCURSION;
const PARTITION = partitionOf(CONTAINER, PARTITIONS);
const LAST = ALERT_AT + 3;

/** The nodes both cases run: an api node, an edge, two processors, the device on the edge. */
interface ExcursionCluster {
  cluster: ClusterHarness;
  api: EdgeNode;
  processing: EdgeNodes;
  processors: EdgeNode[];
  device: MqttClient;
}

/** Starts them, with a chilled shipment of the excursion's container in transit from `t0`. */
async function startExcursionCluster(adminKey: string, t0: number): Promise<ExcursionCluster> {
  const cluster = await ClusterHarness.start({
    ...CHILLED_EXCURSION.env,
    PARTITIONS: String(PARTITIONS),
    CONVOI_ADMIN_KEY: adminKey,
    STATE_CHECKPOINT_MS: String(CHECKPOINT_MS),
  });
  const api = await cluster.role('api').start();
  const { request } = excursionProbes(
    () => ({ admin: cluster.admin, apiPort: api.httpPort, device: undefined }),
    {
      adminKey,
      t0,
      partition: PARTITION,
    },
  );
  await startChilledShipment(request, t0);
  const edge = await cluster.role('edge').start();
  const { group: processing, nodes: processors } = await cluster.startProcessors(2, PARTITIONS);
  const device = await mqtt.connectAsync(`mqtt://127.0.0.1:${edge.mqttPort}`, {
    clientId: DEVICE,
    clean: false,
    reconnectPeriod: 200,
  });
  return { cluster, api, processing, processors, device };
}

describe('cluster: an alert decided by a processor killed for good while PostgreSQL held its write', () => {
  let cluster: ClusterHarness;
  let admin: pg.Pool;
  let api: EdgeNode;
  let processing: EdgeNodes;
  let processors: EdgeNode[];
  let device: MqttClient | undefined;
  let locker: pg.PoolClient | undefined;
  const adminKey = `cv_test_${randomBytes(32).toString('base64url')}`;
  const t0 = Math.floor(Date.now() / 60_000) * 60_000 - LAST * 60_000;

  const { stored, send, checkpointed, checkpointAfter } = excursionProbes(
    () => ({ admin, apiPort: api.httpPort, device }),
    { adminKey, t0, partition: PARTITION },
  );
  const alertRows = async (): Promise<number[]> => {
    const { rows } = await admin.query<{ opened_at: string }>(
      "SELECT opened_at FROM alerts WHERE container_id = $1 AND rule_id = 'temperature-high'",
      [CONTAINER],
    );
    return rows.map((r) => (Number(r.opened_at) - t0) / 60_000);
  };

  before(async () => {
    ({ cluster, api, processing, processors, device } = await startExcursionCluster(adminKey, t0));
    admin = cluster.admin;
  });
  after(async () => {
    await locker?.query('ROLLBACK').catch(() => undefined);
    locker?.release();
    await device?.endAsync(true);
    await cluster?.dispose();
  });

  it('stores the alert once, opened at the reading that raised it', async () => {
    for (let m = 0; m < ALERT_AT; m++) await send(m);
    const first = await checkpointAfter('a checkpoint of the partition', Date.now());
    const before = await checkpointAfter('one covering the excursion under way', first.writtenAt);

    // PostgreSQL takes no alert write from now on: it waits for the lock.
    locker = await admin.connect();
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE alerts IN SHARE MODE');
    await send(ALERT_AT);
    // Checkpoints are due every second: give them three.
    await delay(3 * CHECKPOINT_MS + 500);
    const during = await checkpointed();
    assert.deepEqual(await alertRows(), [], 'the alert is not stored while the table is locked');

    const [holder] = (await lockHolders(admin, LOCK_SPACE.partition)).get(PARTITION) ?? [];
    const owner = await processOfSession(admin, holder);
    const killed = processors.find((p) => p.child.pid === owner);
    assert.ok(killed !== undefined, `partition ${PARTITION} is held by a processor (pid ${owner})`);
    await processing.kill(killed);
    const killedAt = Date.now();
    // The dead processor's write, still waiting for the lock, ends with its session, uncommitted.
    await admin.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query ILIKE '%alerts%'",
    );
    await locker.query('COMMIT');
    locker.release();
    locker = undefined;

    const takenOver = await cluster.soleHolderAfter(PARTITIONS, killedAt, TAKEOVER_MS + 5000);
    assert.ok(takenOver <= TAKEOVER_MS, `partitions owned again ${takenOver} ms after the kill`);
    for (let m = ALERT_AT + 1; m <= LAST; m++) await send(m);
    const opened = await waitFor(
      'the alert stored by the new owner',
      async () => {
        const rows = await alertRows();
        return rows.length > 0 && rows;
      },
      10_000,
      100,
    ).catch(() => alertRows());
    const after = await checkpointed();
    process.stdout.write(
      `# checkpointed position ${before.position} before the raise, ${during?.position} while the alert waited, ${after?.position} after; taken over in ${takenOver} ms\n`,
    );
    assert.deepEqual(opened, [ALERT_AT], 'one alert, opened at the reading that raised it');
    // A moment for a second one to show.
    await delay(1000);
    assert.deepEqual(await alertRows(), [ALERT_AT], 'still one alert');
    assert.deepEqual(
      await stored(),
      Array.from({ length: LAST + 1 }, (_, m) => m),
      'every acknowledged reading stored, once',
    );
  });
});

describe('cluster: an alert stored by a processor killed for good, then cleared under its next owner', () => {
  let cluster: ClusterHarness;
  let admin: pg.Pool;
  let api: EdgeNode;
  let processing: EdgeNodes;
  let processors: EdgeNode[];
  let device: MqttClient | undefined;
  const adminKey = `cv_test_${randomBytes(32).toString('base64url')}`;
  const COOL_FROM = ALERT_AT + 2;
  // chilled-4 clears after 10 min back under its maximum.
  const END = COOL_FROM + 12;
  const t0 = Math.floor(Date.now() / 60_000) * 60_000 - END * 60_000;
  const temperatureAt = (m: number) => (m >= COOL_FROM ? 2 : CHILLED_EXCURSION.temperatureAt(m));

  const { request, send } = excursionProbes(() => ({ admin, apiPort: api.httpPort, device }), {
    adminKey,
    t0,
    partition: PARTITION,
    temperatureAt,
  });
  const alertRows = async (): Promise<{ status: string; openedAt: number }[]> => {
    const { rows } = await admin.query<{ status: string; opened_at: string }>(
      "SELECT status, opened_at FROM alerts WHERE container_id = $1 AND rule_id = 'temperature-high'",
      [CONTAINER],
    );
    return rows.map((r) => ({ status: r.status, openedAt: (Number(r.opened_at) - t0) / 60_000 }));
  };

  before(async () => {
    ({ cluster, api, processing, processors, device } = await startExcursionCluster(adminKey, t0));
    admin = cluster.admin;
  });
  after(async () => {
    await device?.endAsync(true);
    await cluster?.dispose();
  });

  it('clears it when the excursion ends: the next owner holds the alerts its giver stored', async () => {
    for (let m = 0; m <= ALERT_AT; m++) await send(m);
    await waitFor('the alert stored', async () => (await alertRows()).length === 1, 10_000, 100);
    // Its rule state follows the alert: a checkpoint or its own write brings it to PostgreSQL.
    await delay(2 * CHECKPOINT_MS + 500);
    const [holder] = (await lockHolders(admin, LOCK_SPACE.partition)).get(PARTITION) ?? [];
    const owner = await processOfSession(admin, holder);
    const killed = processors.find((p) => p.child.pid === owner);
    assert.ok(killed !== undefined, `partition ${PARTITION} is held by a processor (pid ${owner})`);
    await processing.kill(killed);
    await cluster.soleHolderAfter(PARTITIONS, Date.now(), TAKEOVER_MS + 5000);

    for (let m = ALERT_AT + 1; m <= END; m++) await send(m);
    const cleared = await waitFor(
      'the alert cleared',
      async () => {
        const rows = await alertRows();
        return rows.every((r) => r.status === 'cleared') && rows;
      },
      10_000,
      100,
    ).catch(() => alertRows());
    assert.deepEqual(
      cleared,
      [{ status: 'cleared', openedAt: ALERT_AT }],
      'one alert, cleared by the next owner',
    );
    const { body } = await request(`/alerts?containerId=${CONTAINER}&status=active`);
    assert.deepEqual(body.items, [], 'no active alert left');
  });
});
