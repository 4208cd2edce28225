import pg from 'pg';
import { containerId, devicesOf, isProbe } from './bench-fleet.js';
import { StoredProbe } from './stored-probe.js';

/**
 * Probe of the time series in PostgreSQL (DATABASE_URL set, no InfluxDB): the same per-container
 * cursor as the embedded store's probe, one statement on one connection of its own. The
 * primary key (container_id, measured_at, device_id) serves each probe container's seek in
 * every day partition.
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
    const values = this.probes.map((_, i) => `($${2 * i + 1}::text, $${2 * i + 2}::bigint)`).join(',');
    this.query =
      `WITH probe(c, after) AS (VALUES ${values}) ` +
      'SELECT r.container_id AS c, r.measured_at AS m FROM probe ' +
      'JOIN readings r ON r.container_id = probe.c AND r.measured_at > probe.after ORDER BY m';
  }

  protected async newRows(sinceMs: number): Promise<{ c: string; m: number }[]> {
    this.connected ??= this.client.connect();
    await this.connected;
    const cursor = this.probes.flatMap((c) => [c, Math.max(sinceMs, this.lastSeen.get(c) ?? 0)]);
    const result = await this.client.query<{ c: string; m: string }>(this.query, cursor);
    return result.rows.map((r) => ({ c: r.c, m: Number(r.m) }));
  }

  override async close(): Promise<void> {
    this.stop();
    if (this.connected) await this.client.end();
  }
}
