import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { freePort } from '#test/support/free-port.js';
import { startNodeFlags } from '#test/support/start-command.js';

const MAIN = fileURLToPath(new URL('../../../src/main.js', import.meta.url));

export interface PlatformOptions {
  dataDir: string;
  /** Extra environment (InfluxDB, external broker, seed file…). */
  env?: Record<string, string>;
  /** Extra node flags (e.g. --cpu-prof). */
  execArgv?: string[];
}

/**
 * convoi as `npm start` runs it (its Node flags, `dist/src/main.js`), in its own process, on free loopback
 * ports, with a temp DATA_DIR and warn-level logs. Readiness is GET /health answering 200.
 */
export class PlatformProcess {
  readonly adminKey = `cv_bench_${randomBytes(32).toString('base64url')}`;
  httpUrl = '';
  mqttUrl = '';
  private child?: ChildProcess;
  private output = '';

  constructor(private readonly options: PlatformOptions) {}

  get pid(): number {
    return this.child?.pid ?? -1;
  }

  get alive(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Last lines the platform wrote (warnings, errors): kept for the report when it dies. */
  get log(): string {
    return this.output;
  }

  async start(timeoutMs = 120_000): Promise<void> {
    const httpPort = await freePort();
    const brokerPort = await freePort();
    this.httpUrl = `http://127.0.0.1:${httpPort}`;
    this.mqttUrl = `mqtt://127.0.0.1:${brokerPort}`;
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      TZ: 'UTC',
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: String(httpPort),
      BROKER_HOST: '127.0.0.1',
      BROKER_PORT: String(brokerPort),
      BROKER_ALLOW_ANONYMOUS: 'true',
      DATA_DIR: this.options.dataDir,
      FLEET_SEED_FILE: '',
      LOG_LEVEL: 'warn',
      CONVOI_ADMIN_KEY: this.adminKey,
      // The REST scenario makes 1,000 requests/s with one key; the default limit is 600/min.
      API_RATE_LIMIT: '1000000',
      // A bench publisher speaks for ~1,500 devices (as a network-server integration does): the
      // per-connection device publish limit (10/s) would measure the limiter, not the pipeline.
      BROKER_PUBLISH_RATE_PER_S: '1000000',
      BROKER_PUBLISH_BURST: '1000000',
      ...this.options.env,
    };
    // cwd is the data dir: no stray .env of the working tree is read.
    // BENCH_EXEC_ARGV: extra Node flags for the platform (e.g. `--import` a diagnostic hook).
    const extra = process.env.BENCH_EXEC_ARGV?.split(' ').filter(Boolean) ?? [];
    this.child = spawn(
      process.execPath,
      [...(this.options.execArgv ?? []), ...extra, ...startNodeFlags(), MAIN],
      {
        cwd: this.options.dataDir,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const keep = (d: Buffer) => (this.output = (this.output + d.toString()).slice(-8000));
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.alive) throw new Error(`convoi exited during start: ${this.output}`);
      try {
        if ((await fetch(`${this.httpUrl}/health`)).status === 200) return;
      } catch {
        /* not listening yet */
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`convoi not healthy within ${timeoutMs} ms: ${this.output}`);
  }

  /** An authenticated API call as the admin. */
  async request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set('authorization', `Bearer ${this.adminKey}`);
    if (init.body !== undefined) headers.set('content-type', 'application/json');
    return fetch(this.httpUrl + path, { ...init, headers });
  }

  /** Prometheus metrics as name{labels} → value (summed over labels when `sum`). */
  async metrics(): Promise<Map<string, number>> {
    const text = await (await this.request('/metrics')).text();
    const out = new Map<string, number>();
    for (const line of text.split('\n')) {
      if (line === '' || line.startsWith('#')) continue;
      const space = line.lastIndexOf(' ');
      const series = line.slice(0, space);
      const name = series.includes('{') ? series.slice(0, series.indexOf('{')) : series;
      const value = Number(line.slice(space + 1));
      out.set(series, value);
      if (name !== series) out.set(name, (out.get(name) ?? 0) + value);
    }
    return out;
  }

  /** SIGTERM (graceful: writers flush), SIGKILL after `graceMs`. */
  async stop(graceMs = 30_000): Promise<{ exitCode: number | null; signal: string | null }> {
    const child = this.child;
    if (!child || !this.alive)
      return { exitCode: child?.exitCode ?? null, signal: child?.signalCode ?? null };
    const exited = new Promise<{ exitCode: number | null; signal: string | null }>((resolve) =>
      child.once('exit', (exitCode, signal) => resolve({ exitCode, signal })),
    );
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    const result = await exited;
    clearTimeout(timer);
    return result;
  }
}
