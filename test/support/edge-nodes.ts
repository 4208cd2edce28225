import BetterSqlite3 from 'better-sqlite3';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { TELEMETRY_FILE } from '#src/telemetry/embedded/telemetry-database.js';
import { startConvoi } from './child-app.js';

/** One convoi edge in a child process (child-app.ts): its data dir, its ports, its process. */
export interface EdgeNode {
  readonly dataDir: string;
  child: ChildProcess;
  httpPort: number;
  mqttPort: number;
}

/**
 * Edges sharing one Redis (BROKER_REDIS_URL), each on a data dir of its own (the inbox owner lock
 * refuses two on one), all seeded with the example fleet. `dispose()` kills them and removes
 * their dirs.
 */
export class EdgeNodes {
  private readonly nodes: EdgeNode[] = [];

  constructor(private readonly env: Record<string, string>) {}

  async start(): Promise<EdgeNode> {
    const dataDir = mkdtempSync(join(tmpdir(), 'convoi-edge-'));
    const node = { dataDir, ...(await this.spawn(dataDir)) };
    this.nodes.push(node);
    return node;
  }

  /** Starts `node` again on its data dir (new ports): what it acknowledged before a kill is then stored. */
  async restart(node: EdgeNode): Promise<void> {
    Object.assign(node, await this.spawn(node.dataDir));
  }

  /** Starts `node` again on its data dir and its ports, where a balancer in front of it expects it. */
  async restartInPlace(node: EdgeNode): Promise<void> {
    Object.assign(node, await this.spawn(node.dataDir, { httpPort: node.httpPort, mqttPort: node.mqttPort }));
  }

  /** SIGKILL: no shutdown hook runs, nothing is flushed. */
  async kill(node: EdgeNode): Promise<void> {
    await signal(node.child, 'SIGKILL');
  }

  /** SIGTERM: a graceful stop (the pipeline stores what it has, the inbox keeps the rest). */
  async stop(node: EdgeNode): Promise<void> {
    await signal(node.child, 'SIGTERM');
  }

  /** `measured_at` of the readings of `deviceId` in `node`'s embedded time series. */
  storedMeasuredAt(node: EdgeNode, deviceId: string): number[] {
    const db = new BetterSqlite3(join(node.dataDir, TELEMETRY_FILE), { readonly: true });
    try {
      return db
        .prepare<[string], { measured_at: number }>('SELECT measured_at FROM readings WHERE device_id = ?')
        .all(deviceId)
        .map((r) => r.measured_at);
    } finally {
      db.close();
    }
  }

  async dispose(): Promise<void> {
    for (const node of this.nodes) {
      await signal(node.child, 'SIGKILL');
      rmSync(node.dataDir, { recursive: true, force: true });
    }
  }

  private spawn(
    dataDir: string,
    ports?: { httpPort: number; mqttPort: number },
  ): ReturnType<typeof startConvoi> {
    return startConvoi({
      dataDir,
      ports,
      env: { FLEET_SEED_FILE: resolve('config/fleet.example.json'), ...this.env },
      stderr: 'inherit',
    });
  }
}

async function signal(child: ChildProcess, name: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((done) => child.once('exit', done));
  child.kill(name);
  await exited;
}
