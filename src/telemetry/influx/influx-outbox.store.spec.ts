import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { ManualClock } from '#src/common/clock.js';
import { defaultConfig } from '#src/app-settings.js';
import { SqliteDatabase } from '#src/storage/sqlite-database.js';
import { InfluxOutboxStore } from './influx-outbox.store.js';

const T0 = Date.UTC(2026, 10, 22, 8, 0, 0);
const lines = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

describe(InfluxOutboxStore.name, () => {
  let dir: string;
  let sqlite: SqliteDatabase;
  let clock: ManualClock;
  let store: InfluxOutboxStore;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'influx-outbox-'));
    sqlite = new SqliteDatabase(defaultConfig({ DATA_DIR: dir }));
    clock = new ManualClock(T0);
    store = new InfluxOutboxStore(sqlite, clock);
    store.migrate();
  });
  afterEach(async () => {
    await sqlite.onApplicationShutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  /** What a store opened now on the same file counts with its one scan. */
  const recounted = () => {
    const fresh = new InfluxOutboxStore(sqlite, clock);
    fresh.migrate();
    return fresh.stats();
  };

  const appendAt = (at: number, rowLines: string[]) => {
    clock.set(at);
    store.append(rowLines);
  };

  it('groups consecutive rows into requests of at most maxLines lines, in queue order', () => {
    appendAt(T0, lines('a', 2));
    appendAt(T0 + 1, lines('b', 3));
    appendAt(T0 + 2, lines('c', 4));
    appendAt(T0 + 3, lines('d', 9));
    const groups = store.groups(5, 10);
    assert.deepEqual(
      groups.map((g) => [g.rows.map((r) => r.length), g.lineCount]),
      [
        [[2, 3], 5],
        [[4], 4],
        [[9], 9],
      ],
      'a row larger than maxLines is a group of its own',
    );
    assert.deepEqual(
      store.groups(5, 1).map((g) => g.rows.flat()),
      [[...lines('a', 2), ...lines('b', 3)]],
    );
  });

  it('keeps rows, lines and the head age in memory through settle, trim and requeue', () => {
    appendAt(T0, lines('a', 2));
    appendAt(T0 + 10, lines('b', 3));
    appendAt(T0 + 20, lines('c', 4));
    assert.deepEqual(store.stats(), { batches: 3, lines: 9, oldestCreatedAt: T0 });

    // The first group (a, b) comes back: one line of b to retry, one of a refused.
    const [first] = store.groups(5, 1);
    store.settle(first, ['b1'], [{ lines: ['a0'], status: 400, reason: 'bad' }], 'http_503');
    assert.deepEqual(store.stats(), { batches: 2, lines: 5, oldestCreatedAt: T0 });
    assert.deepEqual(store.stats(), recounted());
    assert.deepEqual(
      store.groups(100, 1).map((g) => g.rows),
      [[['b1'], lines('c', 4)]],
      'the line to retry keeps its place at the head',
    );

    const [again] = store.groups(100, 1);
    store.settle(again, [], []);
    assert.deepEqual(store.stats(), { batches: 0, lines: 0, oldestCreatedAt: undefined });
    assert.deepEqual(store.stats(), recounted());

    appendAt(T0 + 30, lines('d', 6));
    appendAt(T0 + 40, lines('e', 6));
    const dropped = store.trim(7);
    assert.deepEqual([dropped.batches, dropped.lines], [1, 6]);
    assert.deepEqual(store.stats(), { batches: 1, lines: 6, oldestCreatedAt: T0 + 40 });
    assert.deepEqual(store.stats(), recounted());

    const [letter] = store.listDeadLetters(10);
    clock.set(T0 + 50);
    assert.deepEqual(store.requeueDeadLetter(letter.id), { lines: 1 });
    assert.deepEqual(store.stats(), { batches: 2, lines: 7, oldestCreatedAt: T0 + 40 });
    assert.deepEqual(store.stats(), recounted());
  });

  it('settles a group whose first rows the bound trimmed while it was in flight', () => {
    appendAt(T0, lines('a', 3));
    appendAt(T0 + 10, lines('b', 3));
    appendAt(T0 + 20, lines('c', 3));
    const [group] = store.groups(6, 1);
    store.trim(6); // drops a
    store.settle(group, ['b2'], [], 'timeout');
    assert.deepEqual(store.stats(), { batches: 2, lines: 4, oldestCreatedAt: T0 + 10 });
    assert.deepEqual(store.stats(), recounted());
    assert.deepEqual(
      store.groups(100, 1).map((g) => g.rows),
      [[['b2'], lines('c', 3)]],
    );
  });
});
