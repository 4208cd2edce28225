import { spawn, type ChildProcess } from 'node:child_process';
import { startNodeFlags } from './start-command.js';

export interface ChildAppOptions {
  dataDir: string;
  httpPort: number;
  mqttPort: number;
  /** Extra environment (wins over the defaults). */
  env?: Record<string, string>;
  /** Where the child's stderr goes (default: discarded). */
  stderr?: 'inherit' | 'ignore';
}

/**
 * convoi as `npm start` runs it (its Node flags, `dist/src/main.js`) in a child process on loopback, for
 * tests that must kill it (SIGKILL) or restart it on the same data dir.
 */
export function spawnConvoi(options: ChildAppOptions): ChildProcess {
  return spawn(process.execPath, [...startNodeFlags(), 'dist/src/main.js'], {
    env: {
      PATH: process.env.PATH,
      DATA_DIR: options.dataDir,
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: String(options.httpPort),
      BROKER_HOST: '127.0.0.1',
      BROKER_PORT: String(options.mqttPort),
      BROKER_ALLOW_ANONYMOUS: 'true',
      LOG_LEVEL: 'error',
      ...options.env,
    },
    stdio: ['ignore', 'ignore', options.stderr ?? 'ignore'],
  });
}
