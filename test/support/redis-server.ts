import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '#test/support/free-port.js';
import { signalAndWait, waitUntilAnswering } from './server-process.js';

export const REDIS_SERVER_PATH = process.env.REDIS_SERVER_PATH ?? '/usr/bin/redis-server';

export function redisServerInstalled(): boolean {
  return existsSync(REDIS_SERVER_PATH);
}

/**
 * Debian's redis-server on a free loopback port, its files in a temporary folder (no snapshots:
 * what is in memory is lost with the process). `kill()` is a SIGKILL; `start()` again reuses the
 * port; `dispose()` stops it and deletes the folder.
 */
export class RedisServerProcess {
  url = '';
  private port = 0;
  private child?: ChildProcess;
  readonly dir = mkdtempSync(join(tmpdir(), 'convoi-redis-'));

  async start(): Promise<void> {
    if (this.port === 0) this.port = await freePort();
    const port = this.port;
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', this.dir, '--save', ''];
    const child = spawn(REDIS_SERVER_PATH, [...args, '--appendonly', 'no'], { stdio: 'ignore' });
    this.child = child;
    this.url = `redis://127.0.0.1:${port}`;
    await waitUntilAnswering('redis-server', child, () => answersPing(port));
  }

  /** A crash: SIGKILL. */
  async kill(): Promise<void> {
    await this.signal('SIGKILL');
  }

  /** Stops the server and deletes its folder. */
  async dispose(): Promise<void> {
    await this.signal('SIGTERM');
    rmSync(this.dir, { recursive: true, force: true });
  }

  private signal(signal: NodeJS.Signals): Promise<void> {
    return signalAndWait(this.child, signal);
  }
}

/** Whether the server on `port` answers an inline PING with +PONG (RESP). */
function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let seen = '';
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk: Buffer) => {
      seen += chunk.toString('latin1');
      if (seen.includes('+PONG\r\n')) done(true);
    });
  });
}
