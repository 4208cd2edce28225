import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { startConvoi } from '#test/support/child-app.js';
import { startNodeFlags } from '#test/support/start-command.js';

describe('PARTITIONS, fixed for the life of the data', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'convoi-partitions-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('refuses a later start with another partition count, naming both, and starts with the first', async () => {
    const first = await startConvoi({ dataDir, env: { PARTITIONS: '16', FLEET_SEED_FILE: '' } });
    const exited = new Promise((done) => first.child.once('exit', done));
    first.child.kill('SIGTERM');
    await exited;

    const other = spawnSync(process.execPath, [...startNodeFlags(), 'dist/src/main.js'], {
      env: {
        PATH: process.env.PATH,
        DATA_DIR: dataDir,
        HTTP_HOST: '127.0.0.1',
        HTTP_PORT: '0',
        BROKER_HOST: '127.0.0.1',
        BROKER_PORT: '0',
        BROKER_ALLOW_ANONYMOUS: 'true',
        FLEET_SEED_FILE: '',
        LOG_LEVEL: 'error',
        PARTITIONS: '32',
      },
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(other.status, 1, other.stderr);
    assert.match(other.stderr, /Invalid configuration/);
    assert.match(other.stderr, /PARTITIONS=32, but the data in DATA_DIR was partitioned with PARTITIONS=16/);
    assert.doesNotMatch(other.stderr, /\n\s+at /, 'a message, not a stack trace');

    const again = await startConvoi({ dataDir, env: { PARTITIONS: '16', FLEET_SEED_FILE: '' } });
    const stopped = new Promise((done) => again.child.once('exit', done));
    again.child.kill('SIGTERM');
    await stopped;
  });
});
