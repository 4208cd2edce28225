import pg from 'pg';
import { LOCK_SPACE } from '#src/leases/advisory-lock.keys.js';
import { EdgeNodes, type EdgeNode } from './edge-nodes.js';
import { lockHolders } from './lease-participants.js';
import { NatsServerProcess } from './nats-server.js';
import { startPostgres, type PostgresServer } from './postgres.js';
import { waitFor } from './wait-for.js';

/**
 * A cluster on one machine (ARCHITECTURE.md §9): a real nats-server (the input log) and
 * PostgreSQL (leases, state, time series), and convoi child processes started by role
 * (CONVOI_ROLES) on them. Start nodes one at a time: the first start migrates the database.
 */
export class ClusterHarness {
  private readonly groups: EdgeNodes[] = [];

  private constructor(
    readonly nats: NatsServerProcess,
    readonly postgres: PostgresServer,
    /** The database every node shares. */
    readonly url: string,
    /** A pool of the test's own, to look at what the nodes stored and locked. */
    readonly admin: pg.Pool,
    private readonly env: Record<string, string>,
  ) {}

  /** The servers, and nodes to come with `env` (plus NATS_URL, DATABASE_URL, CONVOI_ROLES). */
  static async start(env: Record<string, string>): Promise<ClusterHarness> {
    const nats = new NatsServerProcess();
    await nats.start();
    const postgres = await startPostgres();
    const url = await postgres.createDatabase();
    const admin = new pg.Pool({ connectionString: url, max: 2 });
    // A test that stops PostgreSQL ends the pool's idle clients: the pool drops them and opens
    // new ones at the next query, and the error, emitted with no query to fail, is no failure.
    admin.on('error', () => undefined);
    return new ClusterHarness(nats, postgres, url, admin, env);
  }

  /** Nodes with these roles (a comma list), `env` on top of the cluster's (a DATABASE_URL through a relay, say). */
  role(roles: string, env: Record<string, string> = {}): EdgeNodes {
    const nodes = new EdgeNodes({
      ...this.env,
      NATS_URL: this.nats.url,
      DATABASE_URL: this.url,
      ...env,
      CONVOI_ROLES: roles,
    });
    this.groups.push(nodes);
    return nodes;
  }

  /** Starts `count` processors, one after the other, and waits until they share the `partitions`. */
  async startProcessors(count: number, partitions: number): Promise<{ group: EdgeNodes; nodes: EdgeNode[] }> {
    const group = this.role('processor');
    const nodes: EdgeNode[] = [];
    for (let i = 0; i < count; i++) nodes.push(await group.start());
    await waitFor(
      `the ${count} processors to share the partitions`,
      async () => {
        const { held, pids } = await this.partitionHolders();
        return held === partitions && pids.size === count;
      },
      20_000,
      100,
    );
    return { group, nodes };
  }

  /** Waits until one session holds all the `partitions`; resolves with the ms since `sinceMs`. */
  soleHolderAfter(partitions: number, sinceMs: number, timeoutMs: number): Promise<number> {
    return waitFor(
      'one processor holding every partition',
      async () => {
        const { held, pids } = await this.partitionHolders();
        return held === partitions && pids.size === 1 && Date.now() - sinceMs;
      },
      timeoutMs,
      100,
    );
  }

  /** The partition locks: how many are held, and by how many sessions. */
  async partitionHolders(): Promise<{ held: number; pids: Set<number> }> {
    const holders = await lockHolders(this.admin, LOCK_SPACE.partition);
    return { held: holders.size, pids: new Set([...holders.values()].flat()) };
  }

  async dispose(): Promise<void> {
    for (const nodes of this.groups) await nodes.dispose();
    await this.admin.end();
    await this.postgres.stop();
    await this.nats.dispose();
  }
}
