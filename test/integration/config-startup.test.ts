import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

describe('start-up with a bad configuration', () => {
  it('stops with one message naming every bad variable', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'convoi-config-'));
    try {
      const result = spawnSync(process.execPath, ['dist/src/main.js'], {
        env: {
          PATH: process.env.PATH,
          DATA_DIR: dataDir,
          HTTP_PORT: 'eighty',
          BROKER_ALLOW_ANONYMOUS: 'perhaps',
          INFLUX_TOKEN: 'super-secret-token',
          INFLUX_URL: 'not a url',
        },
        encoding: 'utf8',
        timeout: 20_000,
      });
      assert.equal(result.status, 1);
      assert.match(result.stderr, /Invalid configuration/);
      assert.match(result.stderr, /HTTP_PORT="eighty"/);
      assert.match(result.stderr, /BROKER_ALLOW_ANONYMOUS="perhaps"/);
      assert.match(result.stderr, /INFLUX_URL="not a url"/);
      assert.doesNotMatch(result.stderr + result.stdout, /super-secret-token/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
