import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '#test/support/free-port.js';
import { acceptsTcp, signalAndWait, waitUntilAnswering } from './server-process.js';

export const HAPROXY_PATH = process.env.HAPROXY_PATH ?? '/usr/sbin/haproxy';

export function haproxyInstalled(): boolean {
  return existsSync(HAPROXY_PATH);
}

/**
 * Debian's HAProxy as a TCP load balancer on a free loopback port, in front of MQTT listeners on
 * loopback (`127.0.0.1:port` each), its configuration in a temporary folder. `balance first` (the
 * default) sends every new connection to the first server that is up, so a test knows which edge
 * a client lands on until that edge dies; a connection that fails is retried and, on its last try,
 * redispatched to another server, and a health check every 200 ms takes a dead server out. With
 * `proxyProtocol`, connections and health checks to the servers open with a PROXY header.
 */
export interface HaproxyOptions {
  /** `leastconn` spreads a fleet over the servers, as deploy/cluster/haproxy.cfg does. */
  balance?: 'first' | 'leastconn';
  /**
   * PROXY protocol to the servers: `v2` is `send-proxy-v2`, `v1` `send-proxy`, both with
   * `check-send-proxy` so the health checks open with a LOCAL header. Unset: plain TCP.
   */
  proxyProtocol?: 'v1' | 'v2';
}

export class HaproxyProcess {
  port = 0;
  private child?: ChildProcess;
  readonly dir = mkdtempSync(join(tmpdir(), 'convoi-haproxy-'));

  constructor(
    private readonly serverPorts: readonly number[],
    private readonly options: HaproxyOptions = {},
  ) {}

  async start(): Promise<void> {
    this.port = await freePort();
    const file = join(this.dir, 'haproxy.cfg');
    writeFileSync(file, this.config());
    // -db: stay in the foreground, so the child is HAProxy itself and a signal reaches it.
    const child = spawn(HAPROXY_PATH, ['-db', '-f', file], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
    this.child = child;
    await waitUntilAnswering(
      'haproxy',
      child,
      () => acceptsTcp(this.port),
      () => stderr,
    );
  }

  /** Stops HAProxy and deletes its folder. */
  async dispose(): Promise<void> {
    await signalAndWait(this.child, 'SIGTERM');
    rmSync(this.dir, { recursive: true, force: true });
  }

  private config(): string {
    const proxy = { v1: ' send-proxy check-send-proxy', v2: ' send-proxy-v2 check-send-proxy', none: '' }[
      this.options.proxyProtocol ?? 'none'
    ];
    const servers = this.serverPorts.map(
      (port, i) => `  server edge${i + 1} 127.0.0.1:${port} check inter 200 fall 1 rise 1${proxy}`,
    );
    // Client and server timeouts beyond MQTT keep-alives, so HAProxy never cuts an idle session.
    return [
      'defaults',
      '  mode tcp',
      '  timeout connect 1s',
      '  timeout client 10m',
      '  timeout server 10m',
      '  retries 2',
      '  option redispatch',
      'frontend mqtt',
      `  bind 127.0.0.1:${this.port}`,
      '  default_backend edges',
      'backend edges',
      `  balance ${this.options.balance ?? 'first'}`,
      ...servers,
      '',
    ].join('\n');
  }
}
