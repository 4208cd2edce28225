import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from './free-port.js';
import { startNodeFlags } from './start-command.js';

export interface ChildAppOptions {
  dataDir: string;
  httpPort: number;
  mqttPort: number;
  /** Extra environment (wins over the defaults). */
  env?: Record<string, string>;
  /** Where the child's stderr goes (default: discarded). */
  stderr?: 'inherit' | 'ignore' | 'pipe';
  /** Where the child's stdout (its log lines) goes (default: discarded); `pipe` to read them. */
  stdout?: 'ignore' | 'pipe';
  /** Extra Node flags (e.g. `--cpu-prof`, which NODE_OPTIONS refuses). */
  execArgv?: string[];
}

/** Attempts of {@link startConvoi} on new ports when the chosen ones were taken first. */
const PORT_ATTEMPTS = 5;

/**
 * convoi as `npm start` runs it (its Node flags, `dist/src/main.js`) in a child process on loopback, for
 * tests that must kill it (SIGKILL) or restart it on the same data dir.
 */
export function spawnConvoi(options: ChildAppOptions): ChildProcess {
  return spawn(process.execPath, [...startNodeFlags(), ...(options.execArgv ?? []), 'dist/src/main.js'], {
    env: {
      PATH: process.env.PATH,
      DATA_DIR: options.dataDir,
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: String(options.httpPort),
      BROKER_HOST: '127.0.0.1',
      BROKER_PORT: String(options.mqttPort),
      BROKER_ALLOW_ANONYMOUS: 'true',
      LOG_LEVEL: 'error',
      // The tests that wait for a checkpoint expect one every 5 s, on PostgreSQL too (30 s unset).
      STATE_CHECKPOINT_MS: '5000',
      ...options.env,
    },
    stdio: ['ignore', options.stdout ?? 'ignore', options.stderr ?? 'ignore'],
  });
}

/**
 * {@link spawnConvoi} on free ports, resolved once its HTTP server answers (any status: /health
 * is 503 while a store is down, which some tests arrange). A port found free can be bound by a
 * test running alongside before the child binds it: the child then exits with EADDRINUSE, and it
 * is started again on new ports. Any other early exit fails with the child's last stderr lines.
 */
export async function startConvoi(
  options: Omit<ChildAppOptions, 'httpPort' | 'mqttPort' | 'stderr'> & {
    stderr?: 'inherit' | 'ignore';
    /** These ports, once (a node started again where a balancer expects it), instead of free ones. */
    ports?: { httpPort: number; mqttPort: number };
  },
  timeoutMs = 30_000,
): Promise<{ child: ChildProcess; httpPort: number; mqttPort: number }> {
  for (let attempt = 1; ; attempt++) {
    const { httpPort, mqttPort } = options.ports ?? {
      httpPort: await freePort(),
      mqttPort: await freePort(),
    };
    const child = spawnConvoi({ ...options, httpPort, mqttPort, stderr: 'pipe' });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
      if (options.stderr === 'inherit') process.stderr.write(chunk);
    });
    const outcome = await upOrExit(child, httpPort, timeoutMs);
    if (outcome === 'up') return { child, httpPort, mqttPort };
    if (outcome === 'timeout') {
      child.kill('SIGKILL');
      throw new Error(`convoi not up on port ${httpPort} within ${timeoutMs} ms:\n${stderr}`);
    }
    if (!stderr.includes('EADDRINUSE') || attempt === PORT_ATTEMPTS || options.ports)
      throw new Error(`convoi exited (${outcome}) before it was up:\n${stderr}`);
  }
}

async function upOrExit(child: ChildProcess, httpPort: number, timeoutMs: number): Promise<string> {
  let exited: string | undefined;
  child.once('exit', (code, signal) => (exited = `code ${code ?? signal}`));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited !== undefined) return exited;
    const answered = await fetch(`http://127.0.0.1:${httpPort}/health`).then(
      () => true,
      () => false,
    );
    if (answered) return 'up';
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return 'timeout';
}
