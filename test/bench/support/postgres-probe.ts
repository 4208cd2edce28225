import pg from 'pg';
import { containerId, devicesOf, isProbe } from './bench-fleet.js';
import { StoredProbe } from './stored-probe.js';

/**
 * Probe of the time series in PostgreSQL (DATABASE_URL set, no InfluxDB): the same per-container
 * cursor as the embedded store's probe, one statement on one connection of its own. The
 * primary key (container_id, measured_at, device_id) serves each probe container's seek in
 * every day partition, one seek per container (the lateral join).
 */
export class PostgresProbe extends StoredProbe {
  private readonly client: pg.Client;
  private readonly probes: string[];
  private readonly query: string;
  private connected?: Promise<unknown>;

  constructor(url: string, containers: number) {
    super();
    this.client = new pg.Client({ connectionString: url });
    this.probes = [...devicesOf('json', containers), ...devicesOf('chirpstack', containers)]
      .filter(isProbe)
      .map(containerId);
    // Two array parameters and a named statement: parsed and planned once, not at every poll
    // (the server's CPU is what the scenario measures).
    this.query =
      'SELECT p.c, r.measured_at AS m FROM unnest($1::text[], $2::bigint[]) AS p(c, after) ' +
      'CROSS JOIN LATERAL (SELECT measured_at FROM readings ' +
      'WHERE container_id = p.c AND measured_at > p.after) r ORDER BY m';
  }

  /**
   * Connects, and returns the pid of the server process that answers the probe: its CPU is the
   * bench's, not the store's, and the scenario takes it out of PostgreSQL's.
   */
  async connect(): Promise<number> {
    this.connected ??= this.client.connect();
    await this.connected;
    const result = await this.client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    return result.rows[0].pid;
  }

  protected async newRows(sinceMs: number): Promise<{ c: string; m: number }[]> {
    this.connected ??= this.client.connect();
    await this.connected;
    const after = this.probes.map((c) => Math.max(sinceMs, this.lastSeen.get(c) ?? 0));
    const result = await this.client.query<{ c: string; m: string }>({
      name: 'probe',
      text: this.query,
      values: [this.probes, after],
    });
    return result.rows.map((r) => ({ c: r.c, m: Number(r.m) }));
  }

  override async close(): Promise<void> {
    this.stop();
    if (this.connected) await this.client.end();
  }
}
