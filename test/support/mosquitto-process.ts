import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '#test/support/free-port.js';
import { acceptsTcp, signalAndWait, waitUntilAnswering } from './server-process.js';

export const MOSQUITTO_PATH = process.env.MOSQUITTO_PATH ?? '/usr/sbin/mosquitto';

export function mosquittoInstalled(): boolean {
  return existsSync(MOSQUITTO_PATH);
}

/**
 * Debian's Mosquitto 2.0 on a free loopback port, anonymous, Nagle off. Queues are raised from
 * their defaults (1,000 queued, 20 in flight per client) so that a subscriber falling behind is
 * measured as latency, not as messages Mosquitto drops.
 */
export class MosquittoProcess {
  url = '';
  private child?: ChildProcess;
  private readonly dir = mkdtempSync(join(tmpdir(), 'convoi-mosquitto-'));

  get pid(): number {
    return this.child?.pid ?? -1;
  }

  async start(): Promise<void> {
    const port = await freePort();
    const conf = join(this.dir, 'mosquitto.conf');
    writeFileSync(
      conf,
      [
        `listener ${port} 127.0.0.1`,
        'allow_anonymous true',
        'set_tcp_nodelay true',
        'persistence false',
        'max_queued_messages 1000000',
        'max_inflight_messages 1000',
        'log_dest none',
        '',
      ].join('\n'),
    );
    this.child = spawn(MOSQUITTO_PATH, ['-c', conf], { stdio: 'ignore' });
    this.url = `mqtt://127.0.0.1:${port}`;
    await waitUntilAnswering('mosquitto', this.child, () => acceptsTcp(port));
  }

  async stop(): Promise<void> {
    await signalAndWait(this.child, 'SIGTERM');
    rmSync(this.dir, { recursive: true, force: true });
  }
}
