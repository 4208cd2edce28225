import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '#src/common/clock.js';
import { ConfigError } from '#src/config/config.error.js';
import { partitionOf } from '#src/contracts/partition.js';
import { Slot } from '#src/state/container-state.js';
import { BUSY, STATE_T, fillState, readState } from '#src/state/container-states.testing.js';
import { packRuleState } from '#src/state/rule-state.packing.js';
import { startPostgres, withClient, type PostgresServer } from '#test/support/postgres.js';
import { openStateProcess } from '#test/support/state-on-store.js';
import { STORE_DIALECTS, databaseUrlPerTest } from '#test/support/store-dialects.js';
import { waitFor } from '#test/support/wait-for.js';

const PARTITIONS = 8;
const ids = Array.from({ length: 300 }, (_, i) => `C${i}`);

for (const dialect of STORE_DIALECTS)
  describe(`container states and their checkpoint, between two processes (${dialect})`, () => {
    const nextUrl = databaseUrlPerTest(dialect);

    it('a taker restores exactly the partitions it is given: pages, windows, rows and positions (read again at the takeover)', async () => {
      const url = await nextUrl();
      // SQLite: the two share the file; PostgreSQL: each has its own DATA_DIR, as on two machines.
      const shared = dialect === 'sqlite' ? mkdtempSync(join(tmpdir(), 'state-shared-')) : undefined;
      const clock = new ManualClock(STATE_T);
      const giver = await openStateProcess(url, clock, PARTITIONS, undefined, shared);
      ids.forEach((id, n) => fillState(giver.states, id, n));
      giver.states.flush(); // the windows too (a checkpoint writes them every sixth time)
      giver.checkpoint.applied(100);
      await giver.checkpoint.checkpoint();
      const held = new Map(ids.map((id) => [id, readState(giver.states, id)]));

      const taker = await openStateProcess(url, clock, PARTITIONS, [], shared);
      try {
        assert.equal(taker.states.size(), 0, 'owns no partition at start');
        for (let p = 0; p < PARTITIONS; p++) assert.equal(taker.checkpoint.restoredPosition(p), 100);
        await taker.states.restore([1, 6]);
        const mine = ids.filter((id) => [1, 6].includes(partitionOf(id, PARTITIONS)));
        assert.ok(mine.length > 0 && mine.length < ids.length);
        assert.deepEqual([...taker.states.all()].map((s) => s.containerId).sort(), [...mine].sort());
        for (const id of mine) assert.deepEqual(readState(taker.states, id), held.get(id), id);
        // The giver goes on and checkpoints again before handing partition 2 over.
        giver.checkpoint.applied(150);
        await giver.checkpoint.checkpoint();
        assert.equal(taker.checkpoint.restoredPosition(2), 100, 'read at its start');
        await taker.checkpoint.restorePositions([2]);
        assert.equal(taker.checkpoint.restoredPosition(2), 150);
        assert.equal(taker.checkpoint.restoredPosition(3), 100, 'only the partitions taken');
        assert.equal(taker.checkpoint.replayHorizon(), 150);
        await taker.states.restore([1, 2]);
        assert.equal(
          taker.states.size(),
          ids.filter((id) => [1, 2, 6].includes(partitionOf(id, PARTITIONS))).length,
          'partition 1 once, partition 2 added',
        );
      } finally {
        await taker.close();
        await giver.close();
        if (shared !== undefined) rmSync(shared, { recursive: true, force: true });
      }
    });

    it("cluster mode: a taker restores the state and each partition's own stream position its giver checkpointed", async () => {
      const url = await nextUrl();
      const shared = dialect === 'sqlite' ? mkdtempSync(join(tmpdir(), 'state-shared-')) : undefined;
      const clock = new ManualClock(STATE_T);
      const giver = await openStateProcess(url, clock, PARTITIONS, [], shared);
      const taker = await openStateProcess(url, clock, PARTITIONS, [], shared);
      try {
        const applied = new Map([
          [1, 9_000],
          [6, 40],
        ]);
        giver.checkpoint.usePartitionPositions(() => applied);
        taker.checkpoint.usePartitionPositions(() => new Map());
        const mine = ids.filter((id) => [1, 6].includes(partitionOf(id, PARTITIONS)));
        mine.forEach((id, n) => fillState(giver.states, id, n));
        giver.states.flush();
        assert.equal(await giver.checkpoint.checkpoint(), true);

        await Promise.all([taker.states.restore([1, 6]), taker.checkpoint.restorePositions([1, 6])]);
        assert.deepEqual(
          [1, 6, 2].map((p) => taker.checkpoint.restoredPosition(p)),
          [9_000, 40, 0],
        );
        assert.equal(taker.checkpoint.replayHorizon(), 9_000);
        for (const id of mine) assert.deepEqual(readState(taker.states, id), readState(giver.states, id), id);
      } finally {
        await taker.close();
        await giver.close();
        if (shared !== undefined) rmSync(shared, { recursive: true, force: true });
      }
    });
  });

describe('container states in PostgreSQL', () => {
  let server: PostgresServer;
  before(async () => {
    server = await startPostgres();
  });
  after(() => server.stop());

  const count = (url: string, query: string) =>
    withClient(url, async (client) => Number((await client.query<{ n: string }>(query)).rows[0].n));

  it('stores what must not be replayed twice without waiting for a checkpoint, and deletes a forgotten row', async () => {
    const url = await server.createDatabase();
    const clock = new ManualClock(STATE_T);
    const a = await openStateProcess(url, clock, PARTITIONS);
    try {
      const c1 = a.states.obtain('C1');
      c1.rules = ['r1', packRuleState(BUSY)];
      a.states.writeNow(c1, Slot.Rules);
      const c2 = a.states.obtain('C2');
      c2.journey = '[7]';
      a.states.writeSoon(c2, Slot.Journey);
      await waitFor(
        'both rows in PostgreSQL',
        async () => (await count(url, 'SELECT count(*) AS n FROM container_states')) === 2,
      );
      a.states.forget('C1');
      a.states.changed(c2, Slot.Rules);
      await a.states.writeBehind();
      assert.equal(
        await count(url, "SELECT count(*) AS n FROM container_states WHERE container_id = 'C1'"),
        0,
      );
    } finally {
      await a.close();
    }
  });

  it('fails a checkpoint while PostgreSQL is away, storing no position, and stores both once it is back', async () => {
    const url = await server.createDatabase();
    const clock = new ManualClock(STATE_T);
    const a = await openStateProcess(url, clock, PARTITIONS);
    let closed = false;
    try {
      ids.forEach((id, n) => fillState(a.states, id, n));
      a.checkpoint.applied(10);
      await a.checkpoint.checkpoint();
      assert.equal(a.checkpoint.position(), 10);

      await server.pause();
      fillState(a.states, 'C1', 1000);
      const started = performance.now();
      const during = a.states.obtain('C2');
      during.rules = ['r1', packRuleState({ ...BUSY, count: 77 })];
      a.states.writeNow(during, Slot.Rules);
      assert.ok(performance.now() - started < 50, 'the hot path does not wait for PostgreSQL');
      a.checkpoint.applied(20);
      await a.checkpoint.checkpoint();
      assert.equal(a.checkpoint.position(), 10, 'no position while its rows are not stored');

      await server.resume();
      a.checkpoint.applied(30);
      await a.checkpoint.checkpoint();
      assert.equal(a.checkpoint.position(), 30);
      const held = readState(a.states, 'C1');
      const heldC2 = readState(a.states, 'C2');
      await a.close();
      closed = true;

      const b = await openStateProcess(url, clock, PARTITIONS);
      try {
        assert.equal(b.checkpoint.restoredPosition(partitionOf('C1', PARTITIONS)), 30);
        assert.deepEqual(readState(b.states, 'C1'), held, 'the write that failed was sent again');
        assert.deepEqual(readState(b.states, 'C2'), heldC2);
      } finally {
        await b.close();
      }
    } finally {
      if (!closed) await a.close();
    }
  });

  it('refuses a start with another partition count than the data in PostgreSQL', async () => {
    const url = await server.createDatabase();
    const clock = new ManualClock(STATE_T);
    const first = await openStateProcess(url, clock, PARTITIONS);
    await first.close();
    await assert.rejects(openStateProcess(url, clock, PARTITIONS * 2), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match(
        error.message,
        /PARTITIONS=16, but the data in DATABASE_URL was partitioned with PARTITIONS=8/,
      );
      return true;
    });
  });
});
