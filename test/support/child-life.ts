import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after } from 'node:test';
import mqtt, { type MqttClient } from 'mqtt';
import { startConvoi } from './child-app.js';

/** The admin key the lives of one test file share (a data dir keeps the key of its first start). */
export const CHILD_ADMIN_KEY = `cv_test_${randomBytes(32).toString('base64url')}`;

/** One life of convoi on a data dir, in a child process (see child-app.ts), with a device client. */
export interface ChildLife {
  child: ChildProcess;
  httpPort: number;
  device: MqttClient;
  /** A REST call under /api/v1 with the admin key; the body parsed as JSON. */
  request(path: string, init?: RequestInit): Promise<{ status: number; body: any }>;
  /** SIGKILL: no shutdown hook runs, nothing is flushed. */
  kill(): Promise<void>;
  /** SIGTERM: a graceful stop. */
  stop(): Promise<void>;
}

/**
 * Starts convoi on `dataDir` with the example fleet seed and {@link CHILD_ADMIN_KEY}, and connects
 * `deviceId` to its broker (anonymous, as the child app allows).
 */
export async function startChildLife(
  dataDir: string,
  deviceId: string,
  env: Record<string, string> = {},
): Promise<ChildLife> {
  const { child, httpPort, mqttPort } = await startConvoi({
    dataDir,
    env: {
      FLEET_SEED_FILE: resolve('config/fleet.example.json'),
      CONVOI_ADMIN_KEY: CHILD_ADMIN_KEY,
      ...env,
    },
    stderr: 'inherit',
  });
  const device = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, {
    clientId: deviceId,
    reconnectPeriod: 0,
  });
  const exit = async (signal: NodeJS.Signals): Promise<void> => {
    device.end(true);
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((done) => child.once('exit', done));
    child.kill(signal);
    await exited;
  };
  return {
    child,
    httpPort,
    device,
    async request(path, init = {}) {
      const res = await fetch(`http://127.0.0.1:${httpPort}/api/v1${path}`, {
        ...init,
        headers: { authorization: `Bearer ${CHILD_ADMIN_KEY}`, 'content-type': 'application/json' },
      });
      const text = await res.text();
      return { status: res.status, body: text === '' ? undefined : JSON.parse(text) };
    },
    kill: () => exit('SIGKILL'),
    stop: () => exit('SIGTERM'),
  };
}

/**
 * The lives of one test file and their data dirs, all killed and removed after the file: `dataDir()`
 * gives a fresh dir, `start(dir)` a life of convoi on it with `deviceId` connected.
 */
export function childLives(deviceId: string, env: Record<string, string>, prefix: string) {
  const dirs: string[] = [];
  const lives: ChildLife[] = [];
  after(async () => {
    for (const life of lives) await life.kill();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  return {
    dataDir: (): string => {
      const dir = mkdtempSync(join(tmpdir(), prefix));
      dirs.push(dir);
      return dir;
    },
    start: async (dataDir: string): Promise<ChildLife> => {
      const life = await startChildLife(dataDir, deviceId, env);
      lives.push(life);
      return life;
    },
  };
}
