import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../free-port.js';
import { INFLUXD_PATH, influxdInstalled } from './influx-availability.js';

/** One InfluxQL answer (`/query`), as InfluxDB 1.x returns it. */
export interface InfluxQueryResult {
  results: {
    statement_id: number;
    error?: string;
    series?: { name: string; tags?: Record<string, string>; columns: string[]; values: unknown[][] }[];
  }[];
}

export interface InfluxServer {
  /** Base URL of influxd's own HTTP API (v1: /write, /query, /ping). */
  url: string;
  database: string;
  /** Stops influxd, keeping its data for {@link start}. */
  stop(): Promise<void>;
  /** Starts influxd again on the same port and the same data dir. */
  start(): Promise<void>;
  /** Stops influxd and removes its temp dir. */
  close(): Promise<void>;
  /** Runs InfluxQL with bound parameters; times come back as epoch ms. Throws on a statement error. */
  query(influxql: string, params?: Record<string, string | number | boolean>): Promise<InfluxQueryResult>;
  /** Rows of the first series of the first statement, as objects keyed by column. */
  rows(
    influxql: string,
    params?: Record<string, string | number | boolean>,
  ): Promise<Record<string, unknown>[]>;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

function configText(dir: string, httpPort: number, rpcPort: number): string {
  // 1.x refuses the 100,001st value of a tag by default: a fleet has 150,000 containers.
  return `reporting-disabled = true
bind-address = "127.0.0.1:${rpcPort}"
[meta]
  dir = "${join(dir, 'meta')}"
  logging-enabled = false
[data]
  dir = "${join(dir, 'data')}"
  wal-dir = "${join(dir, 'wal')}"
  query-log-enabled = false
  max-series-per-database = 0
  max-values-per-tag = 0
[monitor]
  store-enabled = false
[continuous_queries]
  enabled = false
[http]
  enabled = true
  bind-address = "127.0.0.1:${httpPort}"
  log-enabled = false
[logging]
  level = "error"
  suppress-logo = true
`;
}

async function waitForPing(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`influxd exited (${child.exitCode}): ${output()}`);
    try {
      const res = await fetch(`${url}/ping`);
      if (res.status === 204) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`influxd did not answer /ping within 20 s: ${output()}`);
}

/** Starts Debian's influxd 1.x on free loopback ports with a temp dir and creates `telemetry`. */
export async function startInflux(database = 'telemetry'): Promise<InfluxServer> {
  if (!influxdInstalled()) {
    throw new Error(`influxd not found at ${INFLUXD_PATH} (REQUIRE_INFLUX=1): apt-get install influxdb`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'convoi-influx-'));
  const configFile = join(dir, 'influxdb.conf');
  let url = '';
  const choosePorts = async (): Promise<void> => {
    const httpPort = await freePort();
    writeFileSync(configFile, configText(dir, httpPort, await freePort()));
    url = `http://127.0.0.1:${httpPort}`;
  };
  await choosePorts();
  let child: ChildProcess | undefined;

  const launch = async (): Promise<void> => {
    let output = '';
    const proc = spawn(INFLUXD_PATH, ['-config', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    proc.stdout?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
    proc.stderr?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
    running.add(proc);
    proc.once('exit', () => running.delete(proc));
    child = proc;
    await waitForPing(url, proc, () => output);
  };

  const stop = async (): Promise<void> => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };

  const query = async (
    influxql: string,
    params?: Record<string, string | number | boolean>,
  ): Promise<InfluxQueryResult> => {
    const form = new URLSearchParams({ db: database, epoch: 'ms', q: influxql });
    if (params) form.set('params', JSON.stringify(params));
    const res = await fetch(`${url}/query`, { method: 'POST', body: form });
    const body = (await res.json()) as InfluxQueryResult & { error?: string };
    if (!res.ok || body.error) throw new Error(`InfluxQL failed (${res.status}): ${JSON.stringify(body)}`);
    const failed = body.results.find((r) => r.error);
    if (failed) throw new Error(`InfluxQL statement failed: ${failed.error}`);
    return body;
  };

  const rows = async (
    influxql: string,
    params?: Record<string, string | number | boolean>,
  ): Promise<Record<string, unknown>[]> => {
    const result = await query(influxql, params);
    const series = result.results[0]?.series?.[0];
    if (!series) return [];
    return series.values.map((v) => Object.fromEntries(series.columns.map((c, i) => [c, v[i]])));
  };

  try {
    // A free port may be taken by a test running alongside before influxd binds it: new ports.
    for (let attempt = 1; ; attempt++) {
      try {
        await launch();
        break;
      } catch (error) {
        if (attempt === 5 || !String(error).includes('address already in use')) throw error;
        await stop();
        await choosePorts();
      }
    }
    await query(`CREATE DATABASE "${database}"`);
  } catch (error) {
    await stop();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }

  return {
    url,
    database,
    stop,
    start: launch,
    close: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
    query,
    rows,
  };
}
