import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ManualClock } from '#src/common/clock.js';
import { Metrics } from '#src/common/metrics.js';
import { defaultConfig } from '#src/app-settings.js';
import { SqliteDatabase } from './sqlite-database.js';
import { StateCheckpoint } from './state-checkpoint.js';

describe('the state checkpoint metric (convoi_state_checkpoint_seconds)', () => {
  it('counts each checkpoint and its duration, failed ones included', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'checkpoint-metric-'));
    const sqlite = new SqliteDatabase(defaultConfig({ DATA_DIR: dir }));
    const metrics = new Metrics();
    const checkpoint = new StateCheckpoint(
      sqlite,
      new ManualClock(0),
      undefined,
      undefined,
      undefined,
      metrics,
    );
    try {
      await checkpoint.onModuleInit();
      let calls = 0;
      checkpoint.register({
        writeBehind: async () => {
          if (++calls === 2) throw new Error('store away');
          await new Promise((r) => setTimeout(r, 20));
        },
      });
      checkpoint.applied(1);
      assert.equal(await checkpoint.checkpoint(), true);
      checkpoint.applied(2);
      assert.equal(await checkpoint.checkpoint(), false);
      const text = await metrics.scrape();
      assert.match(text, /^convoi_state_checkpoint_seconds_count 2$/m);
      const sum = Number(/^convoi_state_checkpoint_seconds_sum (\S+)$/m.exec(text)?.[1]);
      assert.ok(sum >= 0.015, `sum ${sum}`);
    } finally {
      await checkpoint.beforeApplicationShutdown();
      await sqlite.onApplicationShutdown();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
