// The cluster scenario (issue "Cluster mode", ARCHITECTURE.md §9): one bounded load of QoS 1
// readings through one node (every role, its inbox) and through a cluster on this one machine
// (an edge, 1, 2 or 3 processors, an api node, nats-server), all on one PostgreSQL that holds the
// time series, each run until every reading is in PostgreSQL. Per run: the CPU of every process
// per stored reading (convoi's processes; the engines apart), and the rate from the first publish
// to the last reading stored. Then a failover: two processors, one killed (SIGKILL) halfway, the
// time until the survivor holds every partition, and whether every acknowledged reading is
// stored once. On 2 cores the processors share the cores with everything else: the figures are
// the cost per reading and what a core buys, not a scaling curve.
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import mqtt from 'mqtt';
import pg from 'pg';
import { deviceTelemetryTopic } from '#src/contracts/topics.js';
import { LOCK_SPACE } from '#src/leases/advisory-lock.keys.js';
import { startConvoi } from '#test/support/child-app.js';
import { clusterDeviceId, writeClusterSeed } from '#test/support/cluster-fleet.js';
import { lockHolders } from '#test/support/lease-participants.js';
import { NatsServerProcess } from '#test/support/nats-server.js';
import { startPostgres, type PostgresServer } from '#test/support/postgres.js';
import { processTreeCpuSeconds } from '../support/proc-stats.js';
import { CLUSTER_LAYOUTS, type BenchSettings } from './bench-settings.js';

/** NATS_STREAM's default, which the nodes use. */
const READINGS_STREAM = 'CONVOI_READINGS';
const DEVICES = 64;
const PARTITIONS = 64;
const CLIENTS = 16;
const IN_FLIGHT = 32;
/** Bounds of one run: every reading stored within this, or the run fails. */
const STORED_WITHIN_MS = 180_000;

export interface ClusterRun {
  layout: string;
  messages: number;
  stored: number;
  seconds: number;
  storedPerS: number;
  /** µs of CPU per stored reading: convoi's processes, nats-server, PostgreSQL. */
  cpuUsPerReading: { convoi: number; nats: number; postgres: number };
  /** Messages in the log (its last sequence: one per partition and edge turn); none for one node. */
  logMessages?: number;
  /** convoi's µs per stored reading by role (`node` for the one node; the processors summed). */
  convoiUsByRole: Record<string, number>;
}

export interface ClusterResult {
  runs: ClusterRun[];
  /** Only after the standard layouts (BENCH_CLUSTER_LAYOUTS unset). */
  failover?: { takeoverMs: number; acknowledged: number; stored: number; layout: string };
}

interface Node {
  child: ChildProcess;
  mqttPort: number;
  dataDir: string;
  /** CONVOI_ROLES, `node` for every role without the log. */
  role: string;
}

/** How long a profiled node may take to stop and write its profile before it is killed. */
const PROFILE_STOP_MS = 20_000;

/** The bench's cluster: one PostgreSQL database and nats-server stream per layout, fresh each time. */
class ClusterLab {
  private readonly nodes: Node[] = [];
  /** The processors, in the order started. */
  readonly processors: Node[] = [];
  /**
   * @param profileDir BENCH_CPU_PROF_DIR: each node writes a V8 CPU profile into its own folder
   *   there (`<layout>-<role>-<n>`), so it is stopped with SIGTERM, not killed, at the end.
   */
  constructor(
    private readonly env: Record<string, string>,
    readonly admin: pg.Pool,
    private readonly profileDir?: string,
  ) {}

  async start(roles: string | undefined): Promise<Node> {
    const dataDir = mkdtempSync(join(tmpdir(), 'convoi-bench-cluster-'));
    const role = roles ?? 'node';
    const env = roles === undefined ? this.env : { ...this.env, CONVOI_ROLES: roles };
    const execArgv: string[] = [];
    if (this.profileDir !== undefined) {
      const dir = join(this.profileDir, `${role}-${this.nodes.length}`);
      mkdirSync(dir, { recursive: true });
      execArgv.push('--cpu-prof', '--cpu-prof-interval=250', `--cpu-prof-dir=${dir}`);
    }
    const node = { dataDir, role, ...(await startConvoi({ dataDir, env, execArgv })) };
    this.nodes.push(node);
    if (roles === 'processor') this.processors.push(node);
    return node;
  }

  cpuSeconds(): number {
    return Object.values(this.cpuSecondsByRole()).reduce((sum, s) => sum + s, 0);
  }

  /** CPU seconds so far of the live nodes, summed per role. */
  cpuSecondsByRole(): Record<string, number> {
    const byRole: Record<string, number> = {};
    for (const n of this.nodes)
      if (n.child.exitCode === null)
        byRole[n.role] = (byRole[n.role] ?? 0) + processTreeCpuSeconds(n.child.pid!);
    return byRole;
  }

  async dispose(): Promise<void> {
    for (const node of this.nodes) {
      if (node.child.exitCode === null && node.child.signalCode === null) {
        const exited = new Promise((done) => node.child.once('exit', done));
        node.child.kill(this.profileDir === undefined ? 'SIGKILL' : 'SIGTERM');
        const killer = setTimeout(() => node.child.kill('SIGKILL'), PROFILE_STOP_MS);
        await exited;
        clearTimeout(killer);
      }
      rmSync(node.dataDir, { recursive: true, force: true });
    }
  }
}

/** The readings stream's last sequence: how many messages the edge appended. */
async function lastSequence(url: string): Promise<number> {
  const connection = await connect({ servers: url });
  try {
    return (await (await jetstreamManager(connection)).streams.info(READINGS_STREAM)).state.last_seq;
  } finally {
    await connection.close();
  }
}

async function storedCount(admin: pg.Pool): Promise<number> {
  const { rows } = await admin.query<{ n: string }>('SELECT count(*) AS n FROM readings');
  return Number(rows[0].n);
}

async function until(what: string, check: () => Promise<boolean>, withinMs: number): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${withinMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Publishes `messages` QoS 1 readings through `port`; `onAcked(n)` after each PUBACK. */
async function publish(
  port: number,
  messages: number,
  tag: string,
  onAcked?: (n: number) => void,
): Promise<void> {
  const clients = await Promise.all(
    Array.from({ length: CLIENTS }, (_, k) =>
      mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: `bench-${tag}-${k}`, reconnectPeriod: 0 }),
    ),
  );
  const base = Date.now() - 60_000;
  let next = 0;
  let acked = 0;
  const lane = async (k: number): Promise<void> => {
    const client = clients[k % CLIENTS];
    for (let i = next++; i < messages; i = next++) {
      const ts = new Date(base + Math.floor(i / DEVICES)).toISOString();
      await client.publishAsync(
        deviceTelemetryTopic(clusterDeviceId(i % DEVICES)),
        JSON.stringify({ ts, temperature: 4.2 }),
        {
          qos: 1,
        },
      );
      onAcked?.(++acked);
    }
  };
  try {
    await Promise.all(Array.from({ length: CLIENTS * IN_FLIGHT }, (_, k) => lane(k)));
  } finally {
    await Promise.all(clients.map((c) => c.endAsync(true)));
  }
}

/** A fresh database and stream for one layout, its nodes started one at a time (the first migrates). */
async function withLab<T>(
  postgres: PostgresServer,
  seed: string,
  layout: number | undefined,
  profileDir: string | undefined,
  work: (lab: ClusterLab, entry: Node, nats: NatsServerProcess) => Promise<T>,
): Promise<T> {
  const url = await postgres.createDatabase();
  // Its own nats-server too: the previous layout's stream is not read again.
  const nats = new NatsServerProcess();
  await nats.start();
  const admin = new pg.Pool({ connectionString: url, max: 2 });
  const lab = new ClusterLab(
    {
      DATABASE_URL: url,
      PARTITIONS: String(PARTITIONS),
      FLEET_SEED_FILE: seed,
      BROKER_PUBLISH_RATE_PER_S: '1000000',
      BROKER_PUBLISH_BURST: '1000000',
      ...(layout === undefined ? {} : { NATS_URL: nats.url }),
    },
    admin,
    profileDir === undefined ? undefined : join(profileDir, String(layout ?? 0)),
  );
  try {
    if (layout === undefined) return await work(lab, await lab.start(undefined), nats);
    await lab.start('api');
    const edge = await lab.start('edge');
    for (let p = 0; p < layout; p++) await lab.start('processor');
    await until(
      `${layout} processors to share the partitions`,
      async () => {
        const holders = await lockHolders(admin, LOCK_SPACE.partition);
        return holders.size === PARTITIONS && new Set([...holders.values()].flat()).size === layout;
      },
      30_000,
    );
    return await work(lab, edge, nats);
  } finally {
    await lab.dispose();
    await admin.end();
    await nats.dispose();
  }
}

async function measuredRun(
  postgres: PostgresServer,
  seed: string,
  processors: number | undefined,
  messages: number,
  profileDir: string | undefined,
): Promise<ClusterRun> {
  const layout =
    processors === undefined
      ? 'one node'
      : `edge + ${processors} processor${processors > 1 ? 's' : ''} + api`;
  return withLab(postgres, seed, processors, profileDir, async (lab, entry, nats) => {
    const byRole0 = lab.cpuSecondsByRole();
    const cpu0 = {
      convoi: lab.cpuSeconds(),
      nats: processTreeCpuSeconds(nats.pid),
      postgres: processTreeCpuSeconds(postgres.pid()!),
    };
    const t0 = performance.now();
    await publish(entry.mqttPort, messages, layout.replace(/\W+/g, '-'));
    await until(
      `${layout}: ${messages} readings stored`,
      async () => (await storedCount(lab.admin)) >= messages,
      STORED_WITHIN_MS,
    );
    const seconds = (performance.now() - t0) / 1000;
    const stored = await storedCount(lab.admin);
    const per = (s: number) => Math.round((s * 1e7) / stored) / 10;
    const byRole = lab.cpuSecondsByRole();
    const logMessages = processors === undefined ? undefined : await lastSequence(nats.url);
    return {
      logMessages,
      layout,
      messages,
      stored,
      seconds: Math.round(seconds * 10) / 10,
      storedPerS: Math.round(stored / seconds),
      cpuUsPerReading: {
        convoi: per(lab.cpuSeconds() - cpu0.convoi),
        nats: per(processTreeCpuSeconds(nats.pid) - cpu0.nats),
        postgres: per(processTreeCpuSeconds(postgres.pid()!) - cpu0.postgres),
      },
      convoiUsByRole: Object.fromEntries(
        Object.entries(byRole).map(([role, s]) => [role, per(s - (byRole0[role] ?? 0))]),
      ),
    };
  });
}

/** Two processors, the one holding more partitions killed halfway through the load. */
async function failover(
  postgres: PostgresServer,
  seed: string,
  messages: number,
): Promise<NonNullable<ClusterResult['failover']>> {
  return withLab(postgres, seed, 2, undefined, async (lab, edge) => {
    let acknowledged = 0;
    let takeoverMs = -1;
    let takeover: Promise<void> | undefined;
    const watchTakeover = (killedAt: number): Promise<void> =>
      until(
        'the survivor to hold every partition',
        async () => {
          const now = await lockHolders(lab.admin, LOCK_SPACE.partition);
          const held = now.size === PARTITIONS && new Set([...now.values()].flat()).size === 1;
          if (held) takeoverMs = Date.now() - killedAt;
          return held;
        },
        30_000,
      );
    await publish(edge.mqttPort, messages, 'failover', (n) => {
      acknowledged = n;
      if (n !== Math.floor(messages / 2)) return;
      lab.processors[0].child.kill('SIGKILL');
      takeover = watchTakeover(Date.now());
    });
    await takeover;
    await until(
      'every acknowledged reading stored',
      async () => (await storedCount(lab.admin)) >= acknowledged,
      STORED_WITHIN_MS,
    );
    return {
      layout: 'edge + 2 processors + api, one killed halfway',
      takeoverMs,
      acknowledged,
      stored: await storedCount(lab.admin),
    };
  });
}

/**
 * The layouts (`settings.cluster.layouts`, processors per cluster, 0 for one node) each measured
 * once, then the failover when every standard layout ran.
 */
export async function clusterScenario(settings: BenchSettings): Promise<ClusterResult> {
  const { messages, layouts, profileDir } = settings.cluster;
  const postgres = await startPostgres();
  const seedDir = mkdtempSync(join(tmpdir(), 'convoi-bench-cluster-seed-'));
  try {
    const seed = writeClusterSeed(seedDir, DEVICES);
    const runs: ClusterRun[] = [];
    for (const processors of layouts)
      runs.push(await measuredRun(postgres, seed, processors || undefined, messages, profileDir));
    if (layouts.join() !== CLUSTER_LAYOUTS.join()) return { runs };
    return { runs, failover: await failover(postgres, seed, messages) };
  } finally {
    await postgres.stop();
    rmSync(seedDir, { recursive: true, force: true });
  }
}
