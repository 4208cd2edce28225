import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

/** Starts convoi on a fresh DATA_DIR with `env` and waits for it to end (a refusal ends it). */
function startWith(env: Record<string, string>): SpawnSyncReturns<string> {
  const dataDir = mkdtempSync(join(tmpdir(), 'convoi-config-'));
  try {
    return spawnSync(process.execPath, ['dist/src/main.js'], {
      env: { PATH: process.env.PATH, DATA_DIR: dataDir, ...env },
      encoding: 'utf8',
      timeout: 20_000,
    });
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

describe('start-up with a bad configuration', () => {
  it('stops with one message naming every bad variable', () => {
    const result = startWith({
      HTTP_PORT: 'eighty',
      BROKER_ALLOW_ANONYMOUS: 'perhaps',
      INFLUX_TOKEN: 'super-secret-token',
      INFLUX_URL: 'not a url',
    });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /Invalid configuration/);
    assert.match(result.stderr, /HTTP_PORT="eighty"/);
    assert.match(result.stderr, /BROKER_ALLOW_ANONYMOUS="perhaps"/);
    assert.match(result.stderr, /INFLUX_URL="not a url"/);
    assert.doesNotMatch(result.stderr + result.stdout, /super-secret-token/);
  });

  it('stops with a message naming what a split role lacks (CONVOI_ROLES)', () => {
    const result = startWith({ CONVOI_ROLES: 'edge', HTTP_PORT: '0', BROKER_PORT: '0' });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /CONVOI_ROLES=edge: a split role needs NATS_URL/);
    assert.match(result.stderr, /cluster mode needs DATABASE_URL/);
  });
});
