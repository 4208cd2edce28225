import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { ManualClock } from '#src/common/clock.js';
import { defaultConfig } from '#src/app-settings.js';
import { PartitionOwnership } from '#src/partitions/partition-ownership.js';
import { INBOX_LOG, STREAM_LOG } from './checkpoint-positions.js';
import { SqliteDatabase } from './sqlite-database.js';
import { StateCheckpoint } from './state-checkpoint.js';

const T = Date.UTC(2026, 11, 7);

describe(`${StateCheckpoint.name}, cluster mode (positions per partition of the stream)`, () => {
  let dir: string;
  let sqlite: SqliteDatabase;
  const opened: StateCheckpoint[] = [];

  /** A cluster processor's checkpoint: nothing owned at start, `applied` its read partitions. */
  const open = (applied: Map<number, number>): StateCheckpoint => {
    const c = new StateCheckpoint(sqlite, new ManualClock(T), PartitionOwnership.of(8, []));
    void c.onModuleInit(); // on SQLite, opened before it returns
    c.usePartitionPositions(() => applied);
    opened.push(c);
    return c;
  };
  const rows = (log: string) =>
    sqlite.connection
      .prepare('SELECT partition, position FROM partition_checkpoint WHERE log = ? ORDER BY partition')
      .all(log) as { partition: number; position: number }[];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'state-checkpoint-stream-'));
    sqlite = new SqliteDatabase(defaultConfig({ DATA_DIR: dir }));
  });

  afterEach(async () => {
    for (const c of opened.splice(0)) await c.beforeApplicationShutdown();
    await sqlite.onApplicationShutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  it("stores each held partition's own position under the stream's name, and a taker restores them", async () => {
    const giver = open(
      new Map([
        [2, 1_500],
        [5, 90],
      ]),
    );
    assert.equal(await giver.checkpoint(), true);
    assert.deepEqual(rows(STREAM_LOG), [
      { partition: 2, position: 1_500 },
      { partition: 5, position: 90 },
    ]);
    assert.deepEqual(rows(INBOX_LOG), [], "the inbox's positions are another counter");
    assert.equal(sqlite.connection.prepare('SELECT count(*) FROM state_checkpoint').pluck().get(), 0);

    const taker = open(new Map());
    await taker.restorePositions([5, 6]);
    assert.deepEqual(
      [5, 6].map((p) => taker.restoredPosition(p)),
      [90, 0],
    );
    assert.equal(taker.replayHorizon(), 90, 'partition 2 is not taken: its position does not count');
  });

  it('stores the positions held before the participants wrote, and none of a partition lost meanwhile', async () => {
    const applied = new Map([
      [1, 10],
      [3, 30],
    ]);
    const c = open(applied);
    c.register({
      writeBehind: () => {
        // Entries applied while the state is written: the write may not cover them.
        applied.set(1, 11);
        applied.delete(3); // lost: its new owner stores its position
        return Promise.resolve();
      },
    });
    await c.checkpoint();
    assert.deepEqual(rows(STREAM_LOG), [{ partition: 1, position: 10 }]);
  });

  it('stores no position when a participant fails to write, and says so', async () => {
    const c = open(new Map([[4, 44]]));
    c.register({ writeBehind: () => Promise.reject(new Error('PostgreSQL away')) });
    assert.equal(await c.checkpoint(), false);
    assert.deepEqual(rows(STREAM_LOG), []);
  });
});
