import BetterSqlite3 from 'better-sqlite3';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { defaultConfig } from '#src/app-settings.js';
import { waitFor } from '#test/support/wait-for.js';
import { SqliteDatabase } from './sqlite-database.js';
import { WalCheckpointer, WRITER_CHECKPOINT_PAGES } from './wal-checkpointer.js';

describe(WalCheckpointer.name, () => {
  let dir: string;
  let db: SqliteDatabase;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'convoi-wal-'));
    db = new SqliteDatabase(defaultConfig({ DATA_DIR: dir }));
  });
  after(async () => {
    await db.onApplicationShutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Rows in the database file itself, without its WAL (what a checkpoint has copied). */
  const rowsInFile = (): number => {
    const copy = join(dir, `copy-${process.hrtime.bigint()}.sqlite`);
    copyFileSync(join(dir, 'convoi.sqlite'), copy);
    const file = new BetterSqlite3(copy);
    try {
      const exists = file.prepare("SELECT 1 FROM sqlite_master WHERE name = 'probe'").get();
      return exists === undefined
        ? 0
        : (file.prepare('SELECT COUNT(*) AS n FROM probe').get() as { n: number }).n;
    } finally {
      file.close();
    }
  };

  it('leaves the connection that commits only the checkpoints past WRITER_CHECKPOINT_PAGES', () => {
    assert.equal(db.connection.pragma('wal_autocheckpoint', { simple: true }), WRITER_CHECKPOINT_PAGES);
  });

  it('copies committed pages into the database file from its own thread', async () => {
    db.connection.exec('CREATE TABLE probe (n INTEGER)');
    const insert = db.connection.prepare('INSERT INTO probe (n) VALUES (?)');
    db.connection.transaction(() => {
      for (let i = 0; i < 100; i++) insert.run(i);
    })();
    assert.ok(rowsInFile() < 100, 'committed to the WAL, not yet to the file');
    assert.equal(await waitFor('a checkpoint', () => rowsInFile() === 100, 5000), true);
  });

  it('keeps the WAL bounded while commits never stop', async () => {
    db.connection.exec('CREATE TABLE filler (b BLOB)');
    const insert = db.connection.prepare('INSERT INTO filler (b) VALUES (?)');
    const page = Buffer.alloc(4000, 7);
    // ~370 MB committed in 90 transactions, a turn of the loop between them (the thread checkpoints).
    for (let t = 0; t < 90; t++) {
      db.connection.transaction(() => {
        for (let i = 0; i < 1000; i++) insert.run(page);
      })();
      await new Promise((resolve) => setImmediate(resolve));
    }
    const wal = statSync(`${db.file}-wal`).size;
    // The writer's checkpoint may find the thread's under way and wait for its next commit, and
    // on a loaded machine (the whole suite on two cores) for a few more: 42-71 MB alone beside two
    // busy cores, 116 and 162 MB within the suite in CI, 237 MB with the suite beside three other
    // builds. A WAL that never restarts holds all ~370 MB.
    assert.ok(wal < 6.5 * WRITER_CHECKPOINT_PAGES * 4096, `WAL of ${Math.round(wal / 1e6)} MB`);
  });
});
