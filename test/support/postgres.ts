import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { accessSync, chownSync, constants, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from '#test/support/free-port.js';

/** Where Debian's `postgresql-15` package puts the server binaries. */
export const POSTGRES_BIN = process.env.POSTGRES_BIN ?? '/usr/lib/postgresql/15/bin';

export interface PostgresServer {
  /** URL of the server's `postgres` database (for administration). */
  url: string;
  /** Milliseconds from initdb to the first accepted connection. */
  startMs: number;
  /** Creates an empty database (from template0, so nothing a test left in template1 leaks in) and returns its URL. */
  createDatabase(): Promise<string>;
  /** Stops the server, keeping its data and port: clients see it gone (a crash, a failover). */
  pause(): Promise<void>;
  /** Starts the paused server again on the same port, with the same data. */
  resume(): Promise<void>;
  /**
   * Suspends the server and its backends (SIGSTOP): connections stay open and queries hang, as
   * behind a network that drops packets. {@link thaw} resumes them.
   */
  freeze(): void;
  thaw(): void;
  /** Stops the server and removes its temp dir. */
  stop(): Promise<void>;
  /** The postmaster's pid (its backends are its children), while it runs. */
  pid(): number | undefined;
}

/** A test's data dies with it: no fsync, a small cache. */
const THROWAWAY_SETTINGS = [
  'fsync=off',
  'synchronous_commit=off',
  'full_page_writes=off',
  'shared_buffers=16MB',
];
/** The bench measures a server that keeps what it acknowledged, as a deployment would run it. */
const DURABLE_SETTINGS = ['shared_buffers=128MB'];

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * A real PostgreSQL 15 for one test file: `initdb` into a temp dir, then the server on a free
 * loopback port with its unix socket in that dir, trust authentication (nothing listens beyond
 * 127.0.0.1) and fsync off (the data dies with the test anyway) unless `durable`. initdb refuses to run as root:
 * under root (CI) the server runs as Debian's `postgres` system user, which owns the temp dir.
 */
export async function startPostgres(options: { durable?: boolean } = {}): Promise<PostgresServer> {
  const started = Date.now();
  const initdb = join(POSTGRES_BIN, 'initdb');
  try {
    accessSync(initdb, constants.X_OK);
  } catch {
    throw new Error(`PostgreSQL not found at ${POSTGRES_BIN} (set POSTGRES_BIN): apt-get install postgresql`);
  }
  const user = runAs();
  const dir = mkdtempSync(join(tmpdir(), 'convoi-postgres-'));
  const data = join(dir, 'data');
  const socket = join(dir, 'socket');
  mkdirSync(socket);
  if (user) for (const path of [dir, socket]) chownSync(path, user.uid, user.gid);
  // cwd: the tests' folder may be closed to that user (initdb warns it cannot return there).
  const asUser: SpawnOptions = user
    ? { uid: user.uid, gid: user.gid, cwd: dir, env: { ...process.env, HOME: dir } }
    : {};

  const init = await run(
    initdb,
    ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '--encoding=UTF8', '--locale=C'],
    asUser,
  );
  if (init.code !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed (${init.code}): ${init.output}`);
  }

  let child: ChildProcess | undefined;
  let url = '';
  let port = 0;
  const launch = async (): Promise<void> => {
    let output = '';
    const proc = spawn(
      join(POSTGRES_BIN, 'postgres'),
      [
        ...['-D', data, '-p', String(port), '-k', socket],
        ...['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=50'],
        ...(options.durable ? DURABLE_SETTINGS : THROWAWAY_SETTINGS).flatMap((setting) => ['-c', setting]),
      ],
      { ...asUser, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    proc.stdout?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
    proc.stderr?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
    running.add(proc);
    proc.once('exit', () => running.delete(proc));
    child = proc;
    url = `postgres://postgres@127.0.0.1:${port}/postgres`;
    await waitForConnection(url, proc, () => output);
  };

  try {
    // A free port may be taken by a test running alongside before postgres binds it: a new port.
    for (let attempt = 1; ; attempt++) {
      try {
        port = await freePort();
        await launch();
        break;
      } catch (error) {
        await stopChild(child);
        if (attempt === 3) throw error;
      }
    }
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }

  let databases = 0;
  return {
    url,
    startMs: Date.now() - started,
    async createDatabase() {
      const name = `test_${process.pid}_${++databases}`;
      await withClient(url, (client) => client.query(`CREATE DATABASE ${name} TEMPLATE template0`));
      return url.replace(/\/postgres$/, `/${name}`);
    },
    async pause() {
      await stopChild(child);
    },
    async resume() {
      await launch();
    },
    freeze() {
      signalServer(child, 'SIGSTOP');
    },
    thaw() {
      signalServer(child, 'SIGCONT');
    },
    async stop() {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
    pid: () => child?.pid,
  };
}

/** Runs `fn` on one client of `url`, then closes it. */
export async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Sends a signal to the server and each of its backends (its child processes, from /proc). */
function signalServer(child: ChildProcess | undefined, signal: NodeJS.Signals): void {
  const pid = child?.pid;
  if (pid === undefined) throw new Error('the server is not running');
  const backends = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/);
  // The server first when stopping (no new backend forks meanwhile), last when resuming.
  const pids = [pid, ...backends.filter((p) => p !== '').map(Number)];
  for (const p of signal === 'SIGSTOP' ? pids : pids.reverse()) process.kill(p, signal);
}

/** Runs a command to its end; its exit code (or the spawn error) and its output. */
function run(
  command: string,
  args: string[],
  options: SpawnOptions,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    let output = '';
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
    child.stderr?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
    child.once('error', (error) => resolve({ code: null, output: `${output}${error.message}` }));
    child.once('close', (code) => resolve({ code, output }));
  });
}

/** The unprivileged user to run initdb and postgres as when the tests run as root. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  if (line === undefined)
    throw new Error(
      'running as root and no `postgres` user to run PostgreSQL as: apt-get install postgresql',
    );
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

async function waitForConnection(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`postgres exited (${child.exitCode}): ${output()}`);
    try {
      await withClient(url, (client) => client.query('SELECT 1'));
      return;
    } catch {
      // starting up, or not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`postgres did not accept a connection within 20 s: ${output()}`);
}

/**
 * Smart shutdown first (SIGTERM: wait for the sessions to end): a pool's `end()` resolves before
 * its sockets are closed, and a fast shutdown would send those last sessions an error their client
 * no longer listens for. Fast shutdown (SIGINT) after 2 s for a session a test left open, SIGKILL after 10 s.
 */
async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timers = [
    setTimeout(() => child.kill('SIGINT'), 2_000),
    setTimeout(() => child.kill('SIGKILL'), 10_000),
  ];
  await exited;
  for (const timer of timers) clearTimeout(timer);
}
