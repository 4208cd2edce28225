import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '#src/config/config.error.js';
import { loadConfig } from '#src/app-settings.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '#src/common/clock.js';
import { defaultConfig } from '#src/app-settings.js';
import { SqliteDatabase } from './sqlite-database.js';
import { CHECKPOINT_EVERY_MS, StateCheckpoint, checkpointEveryMs } from './state-checkpoint.js';
import { StateCheckpointConfig } from './state-checkpoint.config.js';

describe('the state checkpoint interval (STATE_CHECKPOINT_MS)', () => {
  it('is 5 s on SQLite and 30 s on PostgreSQL when unset, or empty in a .env', () => {
    assert.equal(checkpointEveryMs('sqlite'), CHECKPOINT_EVERY_MS);
    assert.equal(checkpointEveryMs('postgres'), 30_000);
    const unset = loadConfig({ STATE_CHECKPOINT_MS: '' }).STATE_CHECKPOINT_MS;
    assert.equal(unset, undefined);
    assert.equal(checkpointEveryMs('postgres', unset), 30_000);
  });

  it('is the setting on either store', () => {
    const set = loadConfig({ STATE_CHECKPOINT_MS: '12000' }).STATE_CHECKPOINT_MS;
    assert.equal(checkpointEveryMs('sqlite', set), 12_000);
    assert.equal(checkpointEveryMs('postgres', set), 12_000);
  });

  it('refuses less than a second, more than 10 minutes, and what is not a number', () => {
    for (const bad of ['999', '600001', '5s'])
      assert.throws(() => loadConfig({ STATE_CHECKPOINT_MS: bad }), ConfigError, bad);
  });

  it('is what the checkpoint (and a cluster processor settling with it) runs at', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'checkpoint-interval-'));
    const sqlite = new SqliteDatabase(defaultConfig({ DATA_DIR: dir }));
    try {
      const clock = new ManualClock(0);
      assert.equal(new StateCheckpoint(sqlite, clock).everyMs, CHECKPOINT_EVERY_MS);
      const config = new StateCheckpointConfig({ STATE_CHECKPOINT_MS: 12_000 });
      assert.equal(new StateCheckpoint(sqlite, clock, undefined, undefined, config).everyMs, 12_000);
    } finally {
      await sqlite.onApplicationShutdown();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
