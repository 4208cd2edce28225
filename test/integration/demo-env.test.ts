import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePort } from '#test/support/free-port.js';
import { waitFor } from '#test/support/wait-for.js';

/** `npm run demo` takes its ports and data folder from the environment, as `npm start` does. */
const DEMO = resolve('scripts/demo.mjs');

interface Demo {
  out: () => string;
  err: () => string;
  /** The exit code once it has exited (null when killed by a signal), else undefined. */
  code: () => number | null | undefined;
  stop: () => Promise<number | null>;
}

/** Starts the demo in `cwd` (no .env there) with only these variables besides PATH. */
function startDemo(cwd: string, vars: Record<string, string>): Demo {
  const child = spawn(process.execPath, [DEMO, '--speedup', '100000'], {
    cwd,
    env: { PATH: process.env.PATH, ...vars },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  let code: number | null | undefined;
  const exited = new Promise<number | null>((done) =>
    child.on('close', (c) => {
      code = c;
      done(c);
    }),
  );
  return {
    out: () => stdout,
    err: () => stderr,
    code: () => code,
    stop: () => {
      if (child.exitCode === null) child.kill('SIGINT');
      return exited;
    },
  };
}

/** The demo's exit code, waited for by polling; a demo still running then is stopped. */
async function exitCode(demo: Demo, withinMs = 30_000): Promise<number> {
  try {
    return await waitFor('the demo to exit', () => demo.code() ?? false, withinMs, 50);
  } finally {
    await demo.stop();
  }
}

describe('npm run demo honours the environment', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'convoi-demo-env-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('listens on HTTP_PORT and BROKER_PORT and keeps its data under DATA_DIR', async () => {
    const [httpPort, brokerPort] = [await freePort(), await freePort()];
    const demo = startDemo(dir, {
      HTTP_PORT: String(httpPort),
      BROKER_PORT: String(brokerPort),
      DATA_DIR: join(dir, 'data'),
    });
    try {
      await waitFor('the demo to print where to look', () => /admin key/.test(demo.out()), 60_000, 100);
      assert.match(demo.out(), new RegExp(`REST API\\s+http://127\\.0\\.0\\.1:${httpPort}/api/v1`));
      assert.match(demo.out(), new RegExp(`MQTT alerts\\s+mqtt://127\\.0\\.0\\.1:${brokerPort}\\s`));
      const health = await fetch(`http://127.0.0.1:${httpPort}/health`);
      assert.equal(health.status, 200);
      assert.ok(existsSync(join(dir, 'data', 'demo')), 'no demo folder inside DATA_DIR');
    } finally {
      assert.equal(await demo.stop(), 0, demo.err());
    }
  });

  it('refuses a port it was given that is taken, naming the variable', async () => {
    const busy: Server = createServer();
    await new Promise<void>((done) => busy.listen(0, '127.0.0.1', done));
    const port = (busy.address() as { port: number }).port;
    try {
      const demo = startDemo(dir, { BROKER_PORT: String(port), DATA_DIR: join(dir, 'data') });
      assert.equal(await exitCode(demo), 1);
      assert.match(demo.err(), new RegExp(`demo: BROKER_PORT=${port}: that port is in use`));
    } finally {
      await new Promise((done) => busy.close(done));
    }
  });

  it('stops with the platform’s message for a bad value', async () => {
    const demo = startDemo(dir, { HTTP_PORT: 'eighty', DATA_DIR: join(dir, 'data') });
    assert.equal(await exitCode(demo), 1);
    assert.match(demo.err(), /Invalid configuration:[\s\S]*HTTP_PORT="eighty"/);
  });
});
