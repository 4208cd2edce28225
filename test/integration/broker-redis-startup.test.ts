import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { startConvoi } from '#test/support/child-app.js';
import { freePort } from '#test/support/free-port.js';

/**
 * An edge told to share its broker through a Redis that does not answer (BROKER_REDIS_URL) stops
 * at start, saying which setting, rather than waiting for ever or serving alone: a lone edge
 * behind the load balancer would take devices whose sessions and deliveries the others never see.
 */
describe('start-up with BROKER_REDIS_URL unreachable', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'convoi-redis-down-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('exits naming the setting, its password masked', async () => {
    const url = `redis://convoi:not-logged-secret@127.0.0.1:${await freePort()}/0`;
    await assert.rejects(
      startConvoi({ dataDir, env: { BROKER_REDIS_URL: url, LOG_LEVEL: 'warn' } }),
      (err: Error) => {
        assert.match(err.message, /exited .*BROKER_REDIS_URL/s);
        assert.doesNotMatch(err.message, /not-logged-secret/);
        return true;
      },
    );
  });
});
