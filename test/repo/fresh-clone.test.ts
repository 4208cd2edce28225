import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { copyCheckout } from '#test/support/repo-files.js';

/**
 * What a new user does right after `npm install` in a clone with nothing beside it and no build:
 * `npx convoi-sim`, `npm run sim`, and the LoRaWAN decoder specs, which read their fixtures from
 * the repository. Runs in a copy of the checkout in a fresh temporary folder.
 */
interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The environment of a user's shell: none of the variables `npm test` sets for its own package,
 * nor the one by which Node's test runner tells a nested `node --test` to report to it.
 */
function userEnv(npmCache: string): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !/^npm_/i.test(k) && k !== 'INIT_CWD' && k !== 'NODE_TEST_CONTEXT',
    ),
  );
  return {
    ...env,
    // A cache of its own: npx installs the package's bins there, as on a first use.
    npm_config_cache: npmCache,
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
  };
}

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // Bounded: a build on two busy cores takes well under this.
    const timer = setTimeout(() => child.kill('SIGKILL'), 150_000);
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

describe('a fresh clone, right after npm install', () => {
  let dir: string;
  let parent: string;
  let env: NodeJS.ProcessEnv;

  before(() => {
    ({ dir, parent } = copyCheckout('convoi-fresh-'));
    env = userEnv(join(parent, 'npm-cache'));
    assert.ok(!existsSync(join(dir, 'dist')), 'the copy must start unbuilt');
  });
  after(() => rmSync(parent, { recursive: true, force: true }));

  it('`npx convoi-sim --help` builds and prints the usage', async () => {
    const r = await run('npx', ['convoi-sim', '--help'], dir, env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Usage: convoi-sim \[options\] \[command\]/m);
    assert.match(r.stderr, /convoi-sim: building \(tsc\)/);
  });

  it('`npm run sim -- scenarios` runs the built CLI without building again', async () => {
    const r = await run('npm', ['run', '--silent', 'sim', '--', 'scenarios'], dir, env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^cold-chain-break\s/m);
    assert.doesNotMatch(r.stderr, /building/);
  });

  it('the LoRaWAN decoder specs pass from the clone alone (their fixtures are in it)', async () => {
    const r = await run(process.execPath, ['scripts/test.mjs', 'dist/src/ingestion/lorawan/'], dir, env);
    assert.equal(r.code, 0, r.stdout.slice(-3000));
    assert.match(r.stdout, /ℹ pass [1-9]\d*/);
    assert.match(r.stdout, /ℹ fail 0/);
  });
});
