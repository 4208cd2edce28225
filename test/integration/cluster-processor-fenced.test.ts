// Cluster mode (ARCHITECTURE.md §9), the checkpoint fenced by the lease (issue 24): the processor
// of a chilled-4 shipment's container goes silent on the network (its PostgreSQL connections
// pass nothing) and PostgreSQL ends its lease session; another processor takes every partition,
// restores, applies the rest of the excursion and checkpoints. The silent processor's own
// checkpoint, sent during the silence and arriving after, is refused: the taker's position stands,
// the alert is raised once, on time, and every acknowledged reading is stored once.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import mqtt, { type MqttClient } from 'mqtt';
import pg from 'pg';
import { partitionOf } from '#src/contracts/partition.js';
import { LOCK_SPACE } from '#src/leases/advisory-lock.keys.js';
import { ClusterHarness } from '#test/support/cluster-harness.js';
import { CHILLED_EXCURSION, startChilledShipment } from '#test/support/chilled-excursion.js';
import type { EdgeNode } from '#test/support/edge-nodes.js';
import { lockHolders, terminate } from '#test/support/lease-participants.js';
import { startSilentLink, type SilentLink } from '#test/support/silent-link.js';
import { excursionProbes } from '#test/support/cluster-excursion.js';
import { waitFor } from '#test/support/wait-for.js';

const PARTITIONS = 16;
const { device: DEVICE, container: CONTAINER, alertAt: ALERT_AT } = CHILLED_EXCURSION;
const PARTITION = partitionOf(CONTAINER, PARTITIONS);
/** The first processor goes silent after this minute's reading is checkpointed. */
const SILENT_AFTER = 12;
const LAST = 24;
const FENCED = 'convoi_state_fenced_writes_total';

describe('cluster: a processor silent on the network is fenced from the partitions taken from it', () => {
  let cluster: ClusterHarness;
  let admin: pg.Pool;
  let link: SilentLink;
  let api: EdgeNode;
  let silent: EdgeNode;
  let device: MqttClient | undefined;
  const adminKey = `cv_test_${randomBytes(32).toString('base64url')}`;
  const t0 = Math.floor(Date.now() / 60_000) * 60_000 - LAST * 60_000;

  const { request, stored, send, checkpointed, checkpointAfter } = excursionProbes(
    () => ({ admin, apiPort: api.httpPort, device }),
    { adminKey, t0, partition: PARTITION },
  );
  const metric = async (node: EdgeNode, sample: string): Promise<number> => {
    const res = await fetch(`http://127.0.0.1:${node.httpPort}/metrics`, {
      headers: { authorization: `Bearer ${adminKey}` },
    });
    const line = (await res.text()).split('\n').find((l) => l.startsWith(`${sample} `));
    return line === undefined ? 0 : Number(line.slice(sample.length + 1));
  };

  before(async () => {
    cluster = await ClusterHarness.start({
      ...CHILLED_EXCURSION.env,
      PARTITIONS: String(PARTITIONS),
      CONVOI_ADMIN_KEY: adminKey,
      // A checkpoint a second: the silent processor's falls within its silence.
      STATE_CHECKPOINT_MS: '1000',
    });
    admin = cluster.admin;
    api = await cluster.role('api').start();
    await startChilledShipment(async (path, init) => {
      const response = await fetch(`http://127.0.0.1:${api.httpPort}/api/v1${path}`, {
        ...init,
        headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      });
      return { status: response.status, body: await response.json() };
    }, t0);
    const edge = await cluster.role('edge').start();
    // Every PostgreSQL connection of the first processor (its pool, its lease session) goes
    // through the relay.
    link = await startSilentLink(Number(new URL(cluster.url).port));
    const viaLink = Object.assign(new URL(cluster.url), { port: String(link.port) }).href;
    silent = await cluster.role('processor', { DATABASE_URL: viaLink }).start();
    await cluster.soleHolderAfter(PARTITIONS, Date.now(), 20_000);
    device = await mqtt.connectAsync(`mqtt://127.0.0.1:${edge.mqttPort}`, {
      clientId: DEVICE,
      clean: false,
      reconnectPeriod: 200,
    });
  });
  after(async () => {
    await device?.endAsync(true);
    await cluster?.dispose();
    await link?.close();
  });

  it('refuses its late checkpoint: the taker’s position stands, one alert on time, each reading once', async () => {
    for (let m = 0; m <= SILENT_AFTER; m++) await send(m);
    const first = await checkpointAfter('a checkpoint of the partition', Date.now());
    const given = await checkpointAfter('the next one', first.writtenAt);
    assert.equal(await metric(silent, FENCED), 0);

    // Its network goes silent; PostgreSQL ends its lease session (as keepalives would).
    const [holder] = (await lockHolders(admin, LOCK_SPACE.partition)).get(PARTITION) ?? [];
    link.silence();
    await terminate(admin, holder);
    const silencedAt = Date.now();
    await cluster.role('processor').start();
    await cluster.soleHolderAfter(PARTITIONS, silencedAt, 20_000);
    for (let m = SILENT_AFTER + 1; m <= LAST; m++) await send(m);
    const taken = await checkpointAfter('the taker’s checkpoint of the rest', Date.now());
    assert.ok(taken.position > given.position, 'the taker checkpointed past the silent one');

    // The silent processor's checkpoint timer fired meanwhile: its writes wait in the relay.
    link.restore();
    await waitFor(
      'the silent processor’s late write refused',
      async () => (await metric(silent, FENCED)) > 0,
    );
    const after = await checkpointed();
    assert.ok(
      after !== undefined && after.position >= taken.position,
      `the taker's position (${taken.position}) stands, not the silent processor's (${after?.position})`,
    );

    const alerts = await waitFor('the alert', async () => {
      const { body } = await request(`/alerts?containerId=${CONTAINER}&rule=temperature-high`);
      const found = body.items as { id: string; openedAt: number }[];
      return found.length > 0 && found;
    });
    assert.deepEqual(
      alerts.map((a) => (a.openedAt - t0) / 60_000),
      [ALERT_AT],
      'one alert, at the minute counted from the silent processor’s minute 5',
    );
    assert.deepEqual(
      await stored(),
      Array.from({ length: LAST + 1 }, (_, m) => m),
      'every acknowledged reading stored, once',
    );
  });
});
