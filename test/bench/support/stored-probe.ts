import Database, { type Database as Db, type Statement } from 'better-sqlite3';
import { join } from 'node:path';
import { TELEMETRY_FILE } from '#src/telemetry/embedded/telemetry-database.js';
import { containerId, devicesOf, isProbe } from './bench-fleet.js';
import { LatencyHistogram } from './latency-histogram.js';

/** How often the store is looked at: the latency resolution (figures are upper bounds by ≤ this). */
export const PROBE_POLL_MS = 10;
/** The same for InfluxDB (see {@link InfluxProbe}). */
export const INFLUX_PROBE_POLL_MS = 100;

/**
 * Publish → stored latency without a subscriber: the probe containers' readings are looked up in
 * the store every {@link PROBE_POLL_MS}; a reading first seen at poll time T was stored at most T,
 * and its measuredAt is its publish time (same machine clock). Each reading counts once.
 *
 * A poll asks only for what it has not seen (per container, after its last reading seen): a poll
 * that re-read the whole window grew with the window (18,000 rows a poll after 60 s at 15,000/s)
 * until the probe itself saturated a core of the machine it was measuring.
 */
export abstract class StoredProbe {
  readonly latency = new LatencyHistogram();
  protected readonly lastSeen = new Map<string, number>();
  private timer?: NodeJS.Timeout;
  private since = 0;
  private polling = false;

  /** `pollMs`: the latency resolution, and how often the store under test is asked. */
  constructor(private readonly pollMs = PROBE_POLL_MS) {}

  /** Rows of probe containers measured after `sinceMs` and after their container's `lastSeen`. */
  protected abstract newRows(
    sinceMs: number,
  ): Promise<{ c: string; m: number }[]> | { c: string; m: number }[];

  /** Starts a measurement window: readings measured from now on. */
  begin(): void {
    this.latency.reset();
    this.since = Date.now() - 1;
    this.timer ??= setInterval(() => void this.poll(), this.pollMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Stops polling and lets go of the store. */
  close(): void | Promise<void> {
    this.stop();
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const rows = await this.newRows(this.since);
      const now = Date.now();
      for (const { c, m } of rows) {
        if (m <= (this.lastSeen.get(c) ?? 0)) continue;
        this.lastSeen.set(c, m);
        this.latency.record(now - m);
      }
    } catch {
      /* the store is busy or closing: next poll */
    } finally {
      this.polling = false;
    }
  }
}

/**
 * Probe of the embedded store, read-only connection: one primary-key seek per probe container,
 * each starting after that container's last reading seen, in one statement.
 */
export class SqliteProbe extends StoredProbe {
  private readonly db: Db;
  private readonly probes: string[];
  private readonly query: Statement<(string | number)[], { c: string; m: number }>;
  private readonly cursor: (string | number)[];

  constructor(dataDir: string, containers: number) {
    super();
    this.db = new Database(join(dataDir, TELEMETRY_FILE), { readonly: true, fileMustExist: true });
    this.probes = [...devicesOf('json', containers), ...devicesOf('chirpstack', containers)]
      .filter(isProbe)
      .map(containerId);
    this.cursor = this.probes.flatMap((c) => [c, 0]);
    this.query = this.db.prepare(
      `WITH probe(c, after) AS (VALUES ${this.probes.map(() => '(?, ?)').join(',')})
       SELECT r.container_id AS c, r.measured_at AS m
       FROM probe JOIN readings r ON r.container_id = probe.c AND r.measured_at > probe.after
       ORDER BY m`,
    );
  }

  protected newRows(sinceMs: number) {
    for (let i = 0; i < this.probes.length; i++) {
      this.cursor[2 * i + 1] = Math.max(sinceMs, this.lastSeen.get(this.probes[i]) ?? 0);
    }
    return this.query.all(...this.cursor);
  }

  /** Readings stored in total (the bench's own count, when the metric is not enough). */
  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM readings').get() as { n: number }).n;
  }

  override close(): void {
    this.stop();
    this.db.close();
  }
}

/**
 * Probe of InfluxDB: an InfluxQL query on the probe containers (regex on the `container` tag).
 * Every 100 ms, not 10: each query matches the regex against the 150,000 values of the tag, and
 * influxd answering it 100 times a second would take CPU from the writes under test. Latencies
 * here are counted in seconds (the writer batches for up to 1 s), so the resolution is ample.
 */
export class InfluxProbe extends StoredProbe {
  constructor(private readonly influxUrl: string) {
    super(INFLUX_PROBE_POLL_MS);
  }

  /**
   * InfluxQL has no per-series cursor: ask from the oldest last reading among the probe containers
   * seen so far (their readings keep coming, so it advances), never from before the window.
   */
  protected async newRows(sinceMs: number) {
    const oldest = this.lastSeen.size === 0 ? sinceMs : Math.min(...this.lastSeen.values());
    sinceMs = Math.max(sinceMs, oldest);
    const form = new URLSearchParams({
      db: 'telemetry',
      epoch: 'ms',
      q: `SELECT "temperatureC", "container" FROM "telemetry" WHERE "container" =~ /^BP-/ AND time > ${sinceMs}ms`,
    });
    const res = await fetch(`${this.influxUrl}/query`, { method: 'POST', body: form });
    const body = (await res.json()) as { results: { series?: { values: [number, number, string][] }[] }[] };
    const values = body.results[0]?.series?.[0]?.values ?? [];
    return values.map(([m, , c]) => ({ c, m })).sort((a, b) => a.m - b.m);
  }
}
