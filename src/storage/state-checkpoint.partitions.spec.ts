import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { ManualClock } from '#src/common/clock.js';
import { defaultConfig } from '#src/app-settings.js';
import { ConfigError } from '#src/config/config.error.js';
import { PartitionOwnership } from '#src/partitions/partition-ownership.js';
import { SqliteDatabase } from './sqlite-database.js';
import { StateCheckpoint } from './state-checkpoint.js';
import { STATE_CHECKPOINT_MIGRATIONS } from './state-checkpoint.migrations.js';
import { sqliteMigrations } from './store-migration.js';

const T = Date.UTC(2026, 11, 7);
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

describe(`${StateCheckpoint.name}, per partition`, () => {
  let dir: string;
  let sqlite: SqliteDatabase;
  const opened: StateCheckpoint[] = [];

  /** A checkpoint as a start opens it, of a processor owning `ownership`. */
  const open = (ownership: PartitionOwnership): StateCheckpoint => {
    const c = new StateCheckpoint(sqlite, new ManualClock(T), ownership);
    void c.onModuleInit(); // on SQLite, opened before it returns
    opened.push(c);
    return c;
  };
  /** A processor's run: applies the log up to `position`, checkpoints, stops. */
  const run = async (ownership: PartitionOwnership, position: number): Promise<void> => {
    const c = open(ownership);
    c.applied(position);
    await c.checkpoint();
  };
  const partitionRows = () =>
    sqlite.connection
      .prepare('SELECT partition, position FROM partition_checkpoint ORDER BY partition')
      .all() as { partition: number; position: number }[];
  const wholeLog = () =>
    sqlite.connection.prepare('SELECT position FROM state_checkpoint').pluck().get() as number | undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'state-checkpoint-partitions-'));
    sqlite = new SqliteDatabase(defaultConfig({ DATA_DIR: dir }));
  });

  afterEach(async () => {
    for (const c of opened.splice(0)) await c.beforeApplicationShutdown();
    await sqlite.onApplicationShutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  it('records the position it took for every partition it owns, with the whole log', async () => {
    await run(PartitionOwnership.all(8), 40);
    assert.deepEqual(
      partitionRows(),
      range(0, 8).map((partition) => ({ partition, position: 40 })),
    );
    assert.equal(wholeLog(), 40);
  });

  it('writes only the partitions a processor owns, and no whole-log position unless it owns them all', async () => {
    await run(PartitionOwnership.of(8, [1, 6]), 70);
    assert.deepEqual(partitionRows(), [
      { partition: 1, position: 70 },
      { partition: 6, position: 70 },
    ]);
    assert.equal(wholeLog(), undefined, 'the other partitions are not applied up to 70');
  });

  it("restores each partition's position at start: its own, or the whole log's where that is further", async () => {
    await run(PartitionOwnership.all(8), 30);
    // Two leases moved on from there, each over its half, to different positions.
    await run(PartitionOwnership.of(8, range(0, 4)), 100);
    await run(PartitionOwnership.of(8, range(4, 6)), 50);
    const restored = open(PartitionOwnership.all(8));
    assert.deepEqual(
      range(0, 8).map((p) => restored.restoredPosition(p)),
      [100, 100, 100, 100, 50, 50, 30, 30],
    );
    assert.equal(restored.replayHorizon(), 100);
    assert.equal(open(PartitionOwnership.of(8, [4, 7])).replayHorizon(), 50, 'the furthest owned partition');
  });

  it("keeps an upgraded deployment's single inbox position for every partition", () => {
    // The schema of the version before partitions, and the one row it wrote.
    sqlite.migrate('checkpoint', sqliteMigrations(STATE_CHECKPOINT_MIGRATIONS.slice(0, 1)));
    sqlite.connection.prepare("INSERT INTO state_checkpoint VALUES ('inbox', 500, ?)").run(T);
    const upgraded = open(PartitionOwnership.all(16));
    assert.equal(upgraded.position(), 500);
    assert.deepEqual(
      range(0, 16).map((p) => upgraded.restoredPosition(p)),
      new Array<number>(16).fill(500),
    );
    assert.equal(upgraded.replayHorizon(), 500);
  });

  it('takes nothing for a replay from the first message this run received on', async () => {
    await run(PartitionOwnership.all(4), 100);
    const next = open(PartitionOwnership.all(4));
    next.newMessagesFrom(200);
    assert.equal(next.replayHorizon(), 100, 'the replay ended above the checkpoint');
    next.newMessagesFrom(61);
    assert.equal(next.replayHorizon(), 60, 'the log left 61 to 100 unreplayed: they are new');
    next.newMessagesFrom(1);
    assert.equal(next.replayHorizon(), 0, 'an inbox emptied by hand numbers from 1 again');
  });

  it('lowers the stored positions the new messages start below, so a crash then replays them into the state', async () => {
    await run(PartitionOwnership.all(4), 100);
    await run(PartitionOwnership.of(4, [2]), 120);
    open(PartitionOwnership.all(4)).newMessagesFrom(61);
    // Killed before a checkpoint: the next start takes 61 and after for new, not for a replay.
    const afterCrash = open(PartitionOwnership.all(4));
    assert.deepEqual(
      range(0, 4).map((p) => afterCrash.restoredPosition(p)),
      [60, 60, 60, 60],
    );
    assert.equal(afterCrash.position(), 60);
    assert.equal(afterCrash.replayHorizon(), 60);
  });

  it('records the partition count at first start and refuses another one later, naming both', async () => {
    await run(PartitionOwnership.all(64), 10);
    assert.throws(
      () => open(PartitionOwnership.all(8)),
      (err: unknown) =>
        err instanceof ConfigError &&
        /PARTITIONS=8, but the data in DATA_DIR was partitioned with PARTITIONS=64/.test(err.message),
    );
    assert.equal(open(PartitionOwnership.all(64)).position(), 10, 'the recorded count starts as before');
  });
});
