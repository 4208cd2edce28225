import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { ManualClock } from '#src/common/clock.js';
import { defaultConfig } from '#src/app-settings.js';
import { SqliteDatabase } from './sqlite-database.js';
import { StateCheckpoint } from './state-checkpoint.js';

const T = Date.UTC(2026, 11, 7);

describe(StateCheckpoint.name, () => {
  let dir: string;
  let sqlite: SqliteDatabase;
  let checkpoint: StateCheckpoint;
  const opened: StateCheckpoint[] = [];

  const open = (): StateCheckpoint => {
    const c = new StateCheckpoint(sqlite, new ManualClock(T));
    void c.onModuleInit(); // on SQLite, opened before it returns
    opened.push(c);
    return c;
  };
  const stored = () =>
    sqlite.connection.prepare('SELECT position FROM state_checkpoint').pluck().get() as number | undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'state-checkpoint-'));
    sqlite = new SqliteDatabase(defaultConfig({ DATA_DIR: dir }));
    checkpoint = open();
  });

  afterEach(async () => {
    for (const c of opened.splice(0)) await c.beforeApplicationShutdown();
    await sqlite.onApplicationShutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores the position applied when it began, after every participant wrote, then announces it', async () => {
    const order: string[] = [];
    let release: (() => void) | undefined;
    checkpoint.register({
      writeBehind: () => {
        if (release !== undefined) return Promise.resolve(); // the checkpoint at shutdown
        order.push(`rules wrote, position stored: ${stored()}`);
        // Messages keep coming while a participant writes in slices.
        return new Promise<void>((resolve) => (release = resolve));
      },
    });
    checkpoint.register({ writeBehind: () => Promise.resolve(void order.push('live state wrote')) });
    checkpoint.onCheckpointed((position) => order.push(`announced ${position}`));
    checkpoint.applied(40);
    const running = checkpoint.checkpoint();
    checkpoint.applied(55);
    release!();
    await running;
    assert.deepEqual(order, ['rules wrote, position stored: undefined', 'live state wrote', 'announced 40']);
    assert.equal(stored(), 40, 'the position reached when it began: later messages may be in memory only');
    assert.equal(checkpoint.position(), 40);
  });

  it('stores no position when a participant fails to write, and keeps the last one', async () => {
    let fail = false;
    const announced: number[] = [];
    checkpoint.register({
      writeBehind: () => (fail ? Promise.reject(new Error('disk full')) : Promise.resolve()),
    });
    checkpoint.onCheckpointed((position) => announced.push(position));
    checkpoint.applied(10);
    await checkpoint.checkpoint();
    fail = true;
    checkpoint.applied(20);
    await checkpoint.checkpoint();
    assert.equal(stored(), 10);
    assert.deepEqual(announced, [10]);
  });

  it('runs one checkpoint at a time, and starts from the position the last run stored', async () => {
    let writing = 0;
    let most = 0;
    checkpoint.register({
      writeBehind: async () => {
        most = Math.max(most, ++writing);
        await new Promise((resolve) => setImmediate(resolve));
        writing--;
      },
    });
    checkpoint.applied(7);
    await Promise.all([checkpoint.checkpoint(), checkpoint.checkpoint(), checkpoint.checkpoint()]);
    assert.equal(most, 1);
    assert.equal(open().position(), 7);
  });

  it('goes on checkpointing when the log numbers its messages from 1 again (an inbox emptied by hand)', async () => {
    checkpoint.applied(500);
    await checkpoint.checkpoint();
    const next = open();
    const announced: number[] = [];
    next.onCheckpointed((position) => announced.push(position));
    next.applied(3);
    await next.checkpoint();
    assert.deepEqual(announced, [3], 'announced, so the inbox forgets what it replayed');
    assert.equal(stored(), 3);
  });
});
