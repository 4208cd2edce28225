import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClusterHarness } from './cluster-harness.js';
import { clusterContainerId, writeClusterSeed } from './cluster-fleet.js';
import { readingKey } from './device-fleet.js';
import type { EdgeNode, EdgeNodes } from './edge-nodes.js';
import { HaproxyProcess } from './haproxy.js';
import { LogTap } from './log-tap.js';
import { RedisServerProcess } from './redis-server.js';

/** The admin key every node is started with, for the tests' REST reads through the api nodes. */
const ADMIN_KEY = 'cv_fullTopologyTestKey_0123456789abcdefghijklmn';
const ADMIN = { authorization: `Bearer ${ADMIN_KEY}` };
/** The stream the edges append to (NATS_STREAM's default). */
const STREAM = 'CONVOI_READINGS';

export interface TopologySize {
  partitions: number;
  /** Containers, one JSON device each (`writeClusterSeed`). */
  devices: number;
  edges: number;
  processors: number;
  apis: number;
}

/**
 * Issue 24's cluster on one machine (ARCHITECTURE.md §9): edges sharing one Redis behind HAProxy
 * (`leastconn`, PROXY protocol v2, which the edges trust from 127.0.0.1: the balancer's address),
 * processors sharing the partitions, and api nodes, each a convoi child process on one
 * nats-server and one PostgreSQL (`ClusterHarness`). The devices connect to `haproxy.port`.
 */
export class ClusterTopology {
  private constructor(
    readonly cluster: ClusterHarness,
    readonly redis: RedisServerProcess,
    readonly haproxy: HaproxyProcess,
    readonly edgeGroup: EdgeNodes,
    readonly edges: EdgeNode[],
    readonly processorGroup: EdgeNodes,
    readonly processors: EdgeNode[],
    readonly apiGroup: EdgeNodes,
    readonly apis: EdgeNode[],
    private readonly seedDir: string,
  ) {}

  /** The topology of `size`, every node with `env` on top of the cluster's settings. */
  static async start(size: TopologySize, env: Record<string, string> = {}): Promise<ClusterTopology> {
    const seedDir = mkdtempSync(join(tmpdir(), 'convoi-topology-seed-'));
    const redis = new RedisServerProcess();
    await redis.start();
    const cluster = await ClusterHarness.start({
      PARTITIONS: String(size.partitions),
      FLEET_SEED_FILE: writeClusterSeed(seedDir, size.devices),
      CONVOI_ADMIN_KEY: ADMIN_KEY,
      BROKER_PUBLISH_RATE_PER_S: '100000',
      BROKER_PUBLISH_BURST: '100000',
      ...env,
    });
    const apiGroup = cluster.role('api');
    const edgeGroup = cluster.role('edge', {
      BROKER_REDIS_URL: redis.url,
      // HAProxy reaches the edges from 127.0.0.1; the devices come from 127.0.0.10 on.
      BROKER_PROXY_PROTOCOL_FROM: '127.0.0.1',
    });
    // The first start migrates the shared database; the others can then start together.
    const apis = [await apiGroup.start()];
    const times = (n: number, start: () => Promise<EdgeNode>): Promise<EdgeNode[]> =>
      Promise.all(Array.from({ length: n }, () => start()));
    const [moreApis, edges, { group: processorGroup, nodes: processors }] = await Promise.all([
      times(size.apis - 1, () => apiGroup.start()),
      times(size.edges, () => edgeGroup.start()),
      cluster.startProcessors(size.processors, size.partitions),
    ]);
    apis.push(...moreApis);
    const haproxy = new HaproxyProcess(
      edges.map((e) => e.mqttPort),
      { proxyProtocol: 'v2', balance: 'leastconn' },
    );
    await haproxy.start();
    return new ClusterTopology(
      cluster,
      redis,
      haproxy,
      edgeGroup,
      edges,
      processorGroup,
      processors,
      apiGroup,
      apis,
      seedDir,
    );
  }

  /** A sample of `node`'s GET /metrics (an admin's), e.g. `convoi_broker_connections`, with its labels if any; 0 if absent. */
  async metric(node: EdgeNode, sample: string): Promise<number> {
    const res = await fetch(`http://127.0.0.1:${node.httpPort}/metrics`, { headers: ADMIN });
    const text = await res.text();
    const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
    return line === undefined ? 0 : Number(line.slice(sample.length + 1));
  }

  /** A REST request under `/api/v1` to an api node, as the admin: its status and JSON body. */
  async request(api: EdgeNode, path: string, init?: RequestInit): Promise<{ status: number; body: any }> {
    const res = await fetch(`http://127.0.0.1:${api.httpPort}/api/v1${path}`, {
      ...init,
      headers: { ...ADMIN, 'content-type': 'application/json' },
    });
    return { status: res.status, body: await res.json() };
  }

  /** The fleet's readings in PostgreSQL's `readings`, as key -> rows with that key. */
  async storedInPostgres(): Promise<Map<string, number>> {
    const { rows } = await this.cluster.admin.query<{ device_id: string; measured_at: string; n: string }>(
      `SELECT device_id, measured_at, count(*) AS n FROM readings
       WHERE device_id LIKE 'sensor-cl-%' GROUP BY device_id, measured_at`,
    );
    return new Map(rows.map((r) => [readingKey(r.device_id, Number(r.measured_at)), Number(r.n)]));
  }

  /** The fleet's readings measured from `fromMs` on, as the REST API of `api` serves them (key -> times listed). */
  async storedViaApi(api: EdgeNode, devices: number, fromMs: number): Promise<Map<string, number>> {
    const found = new Map<string, number>();
    for (let d = 0; d < devices; d++) {
      const query = `from=${new Date(fromMs).toISOString()}&limit=10000`;
      const url = `http://127.0.0.1:${api.httpPort}/api/v1/containers/${clusterContainerId(d)}/readings?${query}`;
      const res = await fetch(url, { headers: ADMIN });
      if (res.status !== 200) throw new Error(`GET ${url}: ${res.status} ${await res.text()}`);
      const { items } = (await res.json()) as { items: { deviceId: string; measuredAt: number }[] };
      for (const { deviceId, measuredAt } of items) {
        const key = readingKey(deviceId, measuredAt);
        found.set(key, (found.get(key) ?? 0) + 1);
      }
    }
    return found;
  }

  /** A tap on the readings stream from its first entry (`LogTap`); stop it before disposing. */
  tapLog(): Promise<LogTap> {
    return LogTap.start(this.cluster.nats.url, STREAM);
  }

  /**
   * Readings the running processors dropped as repeats (their `convoi_ingest_duplicates_total` of
   * native JSON, summed): the resends the log took again, when each is applied once.
   */
  async repeatsDropped(): Promise<number> {
    const each = await Promise.all(
      this.processors.map((p) => this.metric(p, 'convoi_ingest_duplicates_total{source="json"}')),
    );
    return each.reduce((a, b) => a + b, 0);
  }

  async dispose(): Promise<void> {
    await this.haproxy?.dispose();
    await this.cluster.dispose();
    await this.redis.dispose();
    rmSync(this.seedDir, { recursive: true, force: true });
  }
}
