import assert from 'node:assert/strict';
import { it } from 'node:test';
import pg from 'pg';
import { ManualClock } from '#src/common/clock.js';
import { InfluxOutboxStore } from '#src/telemetry/influx/influx-outbox.store.js';
import type { InfluxOutbox } from '#src/telemetry/influx/influx-outbox.js';
import { PostgresInfluxOutbox } from '#src/telemetry/influx/postgres-influx-outbox.js';
import { SqliteInfluxOutbox } from '#src/telemetry/influx/sqlite-influx-outbox.js';
import { describeEachStore, type StoreUnderTest } from '#test/support/store-dialects.js';

const T0 = Date.UTC(2026, 10, 22, 8, 0, 0);
const lines = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

/** The outbox as the InfluxDB module makes it for this store (one per writer process). */
function outboxOn(current: StoreUnderTest, clock: ManualClock): InfluxOutbox {
  return current.dialect === 'postgres'
    ? new PostgresInfluxOutbox(current.store, clock, current.sqlite)
    : new SqliteInfluxOutbox(current.sqlite, clock);
}

describeEachStore('the InfluxDB outbox', (current, dialect) => {
  const clock = new ManualClock(T0);

  /** What an outbox opened now on the same store counts. */
  const recounted = async () => {
    const fresh = outboxOn(current(), clock);
    await fresh.open();
    return fresh.stats();
  };

  it('keeps rows, lines and order through settle, trim and requeue, as a fresh count finds them', async () => {
    const outbox = outboxOn(current(), clock);
    await outbox.open();
    await outbox.append([lines('a', 2), lines('b', 3), lines('c', 4)]);
    assert.deepEqual([outbox.stats().batches, outbox.stats().lines, outbox.ownBatches()], [3, 9, 3]);

    const [first] = await outbox.groups(5, 1);
    assert.deepEqual(first.rows, [lines('a', 2), lines('b', 3)]);
    await outbox.settle(first, ['b1'], [{ lines: ['a0'], status: 400, reason: 'bad' }], 'http_503');
    assert.deepEqual([outbox.stats().batches, outbox.stats().lines], [2, 5]);
    const counted = await recounted();
    assert.deepEqual([counted.batches, counted.lines], [2, 5]);
    assert.deepEqual(
      (await outbox.groups(100, 1)).map((g) => g.rows),
      [[['b1'], lines('c', 4)]],
      'the line to retry keeps its place at the head',
    );

    await outbox.append([lines('d', 6)]);
    const dropped = await outbox.trim(7);
    assert.deepEqual([dropped.batches, dropped.lines], [2, 5], 'the oldest rows went, the newest stays');
    assert.deepEqual(
      (await outbox.groups(100, 1)).map((g) => g.rows),
      [[lines('d', 6)]],
    );

    const [letter] = await outbox.listDeadLetters(10);
    assert.deepEqual([letter.status, letter.sample], [400, ['a0']]);
    assert.deepEqual(await outbox.requeueDeadLetter(letter.id), { lines: 1 });
    assert.equal(await outbox.countDeadLetters(), 0);
    assert.deepEqual(
      (await outbox.groups(100, 1)).map((g) => g.rows),
      [[lines('d', 6), ['a0']]],
    );
    const [all] = await outbox.groups(100, 1);
    await outbox.settle(all, [], []);
    assert.deepEqual([outbox.stats().batches, outbox.stats().lines, outbox.ownBatches()], [0, 0, 0]);
    const empty = await recounted();
    assert.deepEqual([empty.batches, empty.lines], [0, 0]);
  });

  // The cases below are PostgreSQL's alone: a SQLite file has one writer, whose ids commit in
  // order, and it is the outbox itself.
  if (dialect !== 'postgres') return;

  it("tells each writer of its own rows only, and counts every writer's at the refresh", async () => {
    const [a, b] = [outboxOn(current(), clock), outboxOn(current(), clock)];
    await a.open();
    await b.open();
    await a.append([lines('a', 3)]);
    assert.equal(b.ownBatches(), 0, "another writer's rows do not hold B's batches back");
    await b.refresh();
    assert.deepEqual([b.stats().batches, b.stats().lines, b.ownBatches()], [1, 3, 0]);
    // B replays A's row (B holds the lease): A learns at its next refresh that its rows are gone.
    const [group] = await b.groups(100, 1);
    await b.settle(group, [], []);
    assert.equal(a.ownBatches(), 1);
    await a.refresh();
    assert.deepEqual([a.stats().batches, a.ownBatches()], [0, 0]);
  });

  it('settles only the rows it read: a row with a smaller id committed after the read stays', async () => {
    const outbox = outboxOn(current(), clock);
    await outbox.open();
    const other = new pg.Client({ connectionString: current().url });
    await other.connect();
    try {
      // Another node's append takes an id between two of this node's and commits late.
      await outbox.append([['first0']]);
      await other.query('BEGIN');
      await other.query(
        "INSERT INTO influx_outbox (created_at, line_count, lines, node) VALUES ($1, 1, 'late0', 'other')",
        [T0],
      );
      await outbox.append([['next0']]);
      const [group] = await outbox.groups(100, 1);
      assert.deepEqual(group.rows, [['first0'], ['next0']], 'the uncommitted row is not read');
      await other.query('COMMIT');
      await outbox.settle(group, [], []);
      await outbox.refresh();
      assert.deepEqual(
        (await outbox.groups(100, 1)).map((g) => g.rows),
        [[['late0']]],
        'the row the replay never sent is still queued',
      );
    } finally {
      await other.end();
    }
  });

  it("moves what the node's SQLite file still queues into PostgreSQL at open, in order", async () => {
    // Queued before the node ran with DATABASE_URL.
    const before = new InfluxOutboxStore(current().sqlite, clock);
    before.migrate();
    before.append(lines('old', 2));
    before.append(lines('older', 1));
    before.deadLetter(['refused'], 400, 'bad');
    const outbox = outboxOn(current(), clock);
    await outbox.open();
    assert.deepEqual(
      (await outbox.groups(100, 1)).map((g) => g.rows),
      [[lines('old', 2), lines('older', 1)]],
    );
    assert.deepEqual([outbox.stats().batches, outbox.stats().lines], [2, 3]);
    assert.deepEqual(
      (await outbox.listDeadLetters(10)).map((d) => d.sample),
      [['refused']],
    );
    const left = current()
      .sqlite.connection.prepare(
        'SELECT (SELECT count(*) FROM influx_outbox) + (SELECT count(*) FROM influx_dead_letter) AS n',
      )
      .get() as { n: number };
    assert.equal(left.n, 0, 'nothing left in the file to be replayed twice');
  });
});
