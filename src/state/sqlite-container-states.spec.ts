import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '#src/common/clock.js';
import { defaultConfig } from '#src/app-settings.js';
import { partitionOf } from '#src/contracts/partition.js';
import { SqliteDatabase } from '#src/storage/sqlite-database.js';
import { StateCheckpoint } from '#src/storage/state-checkpoint.js';
import {
  BUSY,
  STATE_T as T,
  fillState as fill,
  openContainerStates,
  readState as read,
} from './container-states.testing.js';
import { Slot } from './container-state.js';
import { packRuleState } from './rule-state.packing.js';
import { WINDOW_EVERY_CHECKPOINTS } from './state.layout.js';

describe('SqliteContainerStates', () => {
  let dir: string;
  let db: SqliteDatabase;
  const clock = new ManualClock(T);
  const ids = Array.from({ length: 300 }, (_, i) => `C${i}`);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'container-states-'));
    db = new SqliteDatabase(defaultConfig({ DATA_DIR: dir }));
  });

  afterEach(async () => {
    await db.onApplicationShutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is saved at a checkpoint, with the position reached stored after it, and restored as it was', async () => {
    const checkpoint = new StateCheckpoint(db, clock);
    void checkpoint.onModuleInit(); // on SQLite, opened before it returns
    const states = openContainerStates(db, clock, 8, checkpoint);
    ids.forEach((id, n) => fill(states, id, n));
    checkpoint.applied(42);
    await checkpoint.checkpoint();
    assert.equal(checkpoint.position(), 42);
    const before = ids.map((id) => read(states, id) as { window: number[] });
    const withoutWindow = ({ window: _, ...rest }: { window: number[] }) => rest;
    // A crash: nothing more is written; the next process starts from the checkpoint.
    const again = openContainerStates(db, clock, 8);
    assert.equal(again.size(), ids.length);
    const restored = ids.map((id) => read(again, id) as { window: number[] });
    assert.deepEqual(restored.map(withoutWindow), before.map(withoutWindow));
    for (const id of ids) assert.equal(again.get(id)?.partition, partitionOf(id, 8));
    assert.ok(
      restored.every((s) => s.window.every(Number.isNaN)),
      'dedupe windows are not written at every checkpoint',
    );
    for (let n = 1; n < WINDOW_EVERY_CHECKPOINTS; n++) {
      checkpoint.applied(42 + n);
      await checkpoint.checkpoint();
    }
    assert.deepEqual(
      ids.map((id) => read(openContainerStates(db, clock, 8), id)),
      before,
      'they are at every WINDOW_EVERY_CHECKPOINTS-th one',
    );
    await checkpoint.beforeApplicationShutdown();
  });

  it('restores only the containers of the partitions given, and each partition once', async () => {
    const states = openContainerStates(db, clock, 8);
    ids.forEach((id, n) => fill(states, id, n));
    states.flush();
    const before = new Map(ids.map((id) => [id, read(states, id)]));
    const taker = openContainerStates(db, clock, 8, undefined, []);
    assert.equal(taker.size(), 0, 'owns no partition at start');
    await taker.restore([1, 6]);
    const mine = ids.filter((id) => [1, 6].includes(partitionOf(id, 8)));
    assert.ok(mine.length > 0 && mine.length < ids.length);
    assert.deepEqual([...taker.all()].map((s) => s.containerId).sort(), [...mine].sort());
    for (const id of mine) assert.deepEqual(read(taker, id), before.get(id));
    await taker.restore([1, 2]);
    assert.equal(taker.size(), ids.filter((id) => [1, 2, 6].includes(partitionOf(id, 8))).length);
    // What the taker writes stays in its partitions' rows and pages.
    fill(taker, mine[0], 999);
    taker.flush();
    const pages = db.connection
      .prepare('SELECT DISTINCT partition FROM state_pages ORDER BY 1')
      .pluck()
      .all();
    assert.deepEqual(pages, [0, 1, 2, 3, 4, 5, 6, 7]);
    assert.deepEqual(read(openContainerStates(db, clock, 8), mine[0]), read(taker, mine[0]));
  });

  it('releases partitions given away: writes nothing more of them, and restores them as stored when taken back', async () => {
    const giver = openContainerStates(db, clock, 8, undefined, []);
    await giver.restore([1, 6]);
    const mine = ids.filter((id) => [1, 6].includes(partitionOf(id, 8)));
    mine.forEach((id, n) => fill(giver, id, n));
    giver.flush();
    const moved = mine.filter((id) => partitionOf(id, 8) === 1);
    const kept = giver.get(moved[0])!;
    // Partition 1 goes to another processor, which moves its states on.
    giver.release([1]);
    const other = openContainerStates(db, clock, 8, undefined, []);
    await other.restore([1]);
    moved.forEach((id, n) => fill(other, id, 500 + n));
    other.flush();
    const stored = moved.map((id) => read(other, id));

    assert.ok(
      moved.every((id) => giver.get(id) === undefined),
      'dropped from memory',
    );
    assert.notEqual(giver.obtainKept(moved[0], kept), kept, 'a kept state is not handed back');
    giver.release([1]);
    await giver.restore([1]);
    // A stage that kept the released state changes it: nothing of it is written.
    kept.rules = ['r1', packRuleState(BUSY)];
    giver.writeNow(kept, Slot.Rules);
    giver.pages.markDirty(kept.slot);
    giver.flush();
    assert.deepEqual(
      moved.map((id) => read(openContainerStates(db, clock, 8), id)),
      stored,
      'stored as the other processor left them',
    );
    assert.deepEqual(
      moved.map((id) => read(giver, id)),
      stored,
      'and taken back so',
    );
    assert.ok(
      mine.every((id) => giver.get(id) !== undefined),
      'partition 6 untouched',
    );
  });

  it('renumbers what was written with another partition count', () => {
    const states = openContainerStates(db, clock, 4);
    ids.forEach((id, n) => fill(states, id, n));
    states.flush();
    const before = ids.map((id) => read(states, id) as { partition: number });
    const wider = openContainerStates(db, clock, 16);
    assert.deepEqual(
      ids.map((id) => read(wider, id)),
      before.map((s, n) => ({ ...s, partition: partitionOf(ids[n], 16) })),
    );
    const rows = db.connection.prepare('SELECT container_id, partition FROM container_states').all() as {
      container_id: string;
      partition: number;
    }[];
    for (const row of rows) assert.equal(row.partition, partitionOf(row.container_id, 16));
    assert.deepEqual(
      ids.map((id) => read(openContainerStates(db, clock, 16), id)),
      ids.map((id) => read(wider, id)),
    );
  });

  it('forgets a container in memory and in its rows; the next write of its page leaves it out', () => {
    const states = openContainerStates(db, clock, 8);
    fill(states, 'C1', 1);
    fill(states, 'C2', 2);
    states.flush();
    states.forget('C1');
    states.flush();
    const again = openContainerStates(db, clock, 8);
    assert.equal(again.get('C1'), undefined);
    assert.deepEqual(read(again, 'C2'), read(states, 'C2'));
    assert.equal(db.connection.prepare('SELECT count(*) FROM container_states').pluck().get(), 1);
  });

  it("hands back a kept state while it is the container's, and the container's own after a forget", () => {
    const states = openContainerStates(db, clock, 8);
    const kept = states.obtain('C1');
    states.obtain('C2');
    assert.equal(states.obtainKept('C1', kept), kept);
    assert.equal(states.get('C1'), kept, 'the stages after find it without a lookup, as the last');
    assert.equal(states.obtainKept('C2', kept), states.get('C2'), 'kept for another container');
    assert.equal(states.obtainKept('C1', undefined), kept);
    states.forget('C1');
    const fresh = states.obtainKept('C1', kept);
    assert.notEqual(fresh, kept, 'a forgotten state is never handed out again');
    assert.equal(states.get('C1'), fresh);
    assert.equal(states.obtainKept('C1', fresh), fresh);
  });

  it('writes behind in slices, pages and rows together, and what changes during the pauses next time', async () => {
    const states = openContainerStates(db, clock, 8);
    ids.forEach((id, n) => fill(states, id, n));
    const writing = states.writeBehind();
    fill(states, 'C-LATE', 1);
    await writing;
    const stored = db.connection.prepare('SELECT container_id FROM container_states').pluck().all();
    assert.equal(stored.length, ids.length, 'C-LATE waits for the next checkpoint');
    await states.writeBehind();
    assert.equal(
      db.connection.prepare('SELECT count(*) FROM container_states').pluck().get(),
      ids.length + 1,
    );
  });

  it('carries over the rule, journey and live state tables of earlier versions, once', () => {
    db.connection.exec(`
      CREATE TABLE containers (id TEXT PRIMARY KEY);
      INSERT INTO containers VALUES ('C1'), ('C2');
      CREATE TABLE rule_state (container_id TEXT NOT NULL, rule_id TEXT NOT NULL, state TEXT NOT NULL,
        updated_at INTEGER NOT NULL, PRIMARY KEY (container_id, rule_id)) WITHOUT ROWID;
      CREATE TABLE journey_state (container_id TEXT PRIMARY KEY, state TEXT NOT NULL, updated_at INTEGER NOT NULL);
      CREATE TABLE container_state (container_id TEXT PRIMARY KEY, state TEXT NOT NULL, updated_at INTEGER NOT NULL);
      CREATE TABLE container_state_pages (page INTEGER PRIMARY KEY, numbers BLOB NOT NULL, present BLOB NOT NULL,
        ids TEXT NOT NULL, updated_at INTEGER NOT NULL);
    `);
    const insertRule = db.connection.prepare('INSERT INTO rule_state VALUES (?, ?, ?, 0)');
    insertRule.run('C1', 'r1', JSON.stringify(BUSY));
    insertRule.run('C1', 'r2', JSON.stringify({ ...BUSY, phase: 'idle', count: 0 }));
    insertRule.run('GONE', 'r1', JSON.stringify(BUSY));
    db.connection.prepare('INSERT INTO journey_state VALUES (?, ?, 0)').run('C2', '[1,2,3]');
    // An old live-state page of 1,024 slots, one measurement: C2 in slot 1.
    const numbers = new Float64Array(1024 * 4);
    numbers.set([T, T + 5, 3.5, T], 4);
    const present = new Uint8Array(1024);
    present[1] = 1;
    const containers: (string | null)[] = Array.from({ length: 1024 }, () => null);
    containers[1] = 'C2';
    db.connection.prepare('INSERT INTO container_state_pages VALUES (0, ?, ?, ?, 0)').run(
      Buffer.from(numbers.buffer),
      Buffer.from(present),
      JSON.stringify({
        keys: ['temperatureC'],
        containers,
        devices: containers.map(() => 'D2'),
        shipments: [],
      }),
    );

    const states = openContainerStates(db, clock, 8);
    const expected = {
      C1: [
        ['r1', BUSY],
        ['r2', { ...BUSY, phase: 'idle', count: 0 }],
      ],
    };
    assert.deepEqual((read(states, 'C1') as { rules: unknown }).rules, expected.C1.flat());
    const c2 = read(states, 'C2') as { journey: unknown; numbers: number[]; device: string };
    assert.equal(c2.journey, '[1,2,3]');
    assert.deepEqual(c2.numbers.slice(0, 4), [T, T + 5, 3.5, T]);
    assert.equal(c2.device, 'D2');
    assert.equal(states.get('GONE'), undefined, 'a container deleted since is left behind');
    for (const table of ['rule_state', 'journey_state', 'container_state_pages'])
      assert.equal(db.connection.prepare(`SELECT count(*) FROM ${table}`).pluck().get(), 0, table);
    // Written into the state tables at once: the next start finds it there.
    const again = openContainerStates(db, clock, 8);
    for (const id of ['C1', 'C2']) assert.deepEqual(read(again, id), read(states, id));
  });
});
