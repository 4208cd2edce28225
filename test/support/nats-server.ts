import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '#test/support/free-port.js';
import { signalAndWait, waitUntilAnswering } from './server-process.js';

export const NATS_SERVER_PATH = process.env.NATS_SERVER_PATH ?? '/usr/sbin/nats-server';

export function natsServerInstalled(): boolean {
  return existsSync(NATS_SERVER_PATH);
}

/**
 * What a server requires of its clients: a user, a token, accounts (a configuration file in
 * operator mode, `nats-accounts.ts`), TLS (and client certificates).
 */
export interface NatsServerSecurity {
  user?: { name: string; password: string };
  operatorConfigFile?: string;
  token?: string;
  tls?: { certFile: string; keyFile: string; verifyClientsWithCa?: string };
}

/**
 * Debian's nats-server (2.9) with JetStream on a free loopback port, its store in a temporary
 * folder, requiring what `security` says of its clients. `kill()` is a SIGKILL (a crash);
 * `start()` again reuses the same port and store, as a restarted server on its own disk would.
 */
export class NatsServerProcess {
  url = '';
  private port = 0;
  private child?: ChildProcess;
  readonly storeDir = mkdtempSync(join(tmpdir(), 'convoi-nats-'));

  /** A lone server, or one node of a cluster (`NatsCluster`). */
  constructor(
    private readonly node?: ClusterNode,
    private readonly security: NatsServerSecurity = {},
  ) {}

  get pid(): number {
    return this.child?.pid ?? -1;
  }

  async start(): Promise<void> {
    if (this.port === 0) this.port = this.node?.clientPort ?? (await freePort());
    const args = ['-js', '-sd', this.storeDir, '-a', '127.0.0.1', '-p', String(this.port)];
    if (this.node) {
      const { name, clusterPort, routePorts } = this.node;
      args.push('-n', name, '--cluster_name', 'convoi-test', '--cluster', `nats://127.0.0.1:${clusterPort}`);
      args.push('--routes', routePorts.map((p) => `nats://127.0.0.1:${p}`).join(','));
    }
    args.push(...securityArgs(this.security));
    const child = spawn(NATS_SERVER_PATH, args, { stdio: 'ignore' });
    this.child = child;
    this.url = `nats://127.0.0.1:${this.port}`;
    await waitUntilAnswering('nats-server', child, () => answersPing(this.port, this.security));
  }

  /** A crash: SIGKILL, nothing flushed beyond what the server already wrote. */
  async kill(): Promise<void> {
    await this.signal('SIGKILL');
  }

  /** A clean stop, the store kept (start() again to restart). */
  async stop(): Promise<void> {
    await this.signal('SIGTERM');
  }

  /** Stops the server and deletes its store. */
  async dispose(): Promise<void> {
    await this.signal('SIGTERM');
    rmSync(this.storeDir, { recursive: true, force: true });
  }

  private signal(signal: NodeJS.Signals): Promise<void> {
    return signalAndWait(this.child, signal);
  }
}

/** A node's place in a cluster: its name, its client and route ports, and its peers' route ports. */
export interface ClusterNode {
  readonly name: string;
  readonly clientPort: number;
  readonly clusterPort: number;
  readonly routePorts: readonly number[];
}

/**
 * Three nats-servers routed into one JetStream cluster on loopback, each with its own store: what
 * `NATS_REPLICAS=3` needs. `url` lists the three, as a client's `NATS_URL` would.
 */
export class NatsCluster {
  readonly nodes: NatsServerProcess[] = [];

  get url(): string {
    return this.nodes.map((n) => n.url).join(',');
  }

  async start(size = 3): Promise<void> {
    const taken = new Set<number>();
    while (taken.size < size * 2) taken.add(await freePort());
    const ports = [...taken];
    const clusterPorts = ports.slice(size);
    for (let i = 0; i < size; i++) {
      this.nodes.push(
        new NatsServerProcess({
          name: `n${i + 1}`,
          clientPort: ports[i],
          clusterPort: clusterPorts[i],
          routePorts: clusterPorts.filter((_, k) => k !== i),
        }),
      );
    }
    await Promise.all(this.nodes.map((n) => n.start()));
  }

  /** The node named `name` (the servers' names are n1, n2, n3). */
  node(name: string): NatsServerProcess {
    const i = Number(name.slice(1)) - 1;
    const node = this.nodes[i];
    if (!node) throw new Error(`no node ${name}`);
    return node;
  }

  async dispose(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.dispose()));
  }
}

function securityArgs({ user, token, tls, operatorConfigFile }: NatsServerSecurity): string[] {
  const args: string[] = operatorConfigFile ? ['-c', operatorConfigFile] : [];
  if (user) args.push('--user', user.name, '--pass', user.password);
  if (token) args.push('--auth', token);
  if (tls) {
    args.push(
      tls.verifyClientsWithCa ? '--tlsverify' : '--tls',
      '--tlscert',
      tls.certFile,
      '--tlskey',
      tls.keyFile,
    );
    if (tls.verifyClientsWithCa) args.push('--tlscacert', tls.verifyClientsWithCa);
  }
  return args;
}

/**
 * Whether the server on `port` sends its INFO and answers PING with PONG (NATS protocol),
 * authenticating as `security` requires. A server requiring TLS answers nothing more in clear:
 * its INFO is the sign that it serves.
 */
function answersPing(port: number, security: NatsServerSecurity = {}): Promise<boolean> {
  const credentials = {
    ...(security.user ? { user: security.user.name, pass: security.user.password } : {}),
    ...(security.token ? { auth_token: security.token } : {}),
  };
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let seen = '';
    let pinged = false;
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.on('data', (chunk: Buffer) => {
      seen += chunk.toString('latin1');
      if (!pinged && seen.startsWith('INFO ')) {
        // TLS, or accounts (a JWT to sign the nonce with): the INFO has to do.
        if (security.tls || security.operatorConfigFile) return done(true);
        pinged = true;
        socket.write(`CONNECT ${JSON.stringify({ verbose: false, ...credentials })}\r\nPING\r\n`);
      }
      if (seen.includes('PONG\r\n')) done(true);
    });
  });
}
