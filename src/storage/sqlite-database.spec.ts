import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { defaultConfig } from '#src/app-settings.js';
import { SqliteDatabase } from './sqlite-database.js';

describe(SqliteDatabase.name, () => {
  let dir: string;
  let sqlite: SqliteDatabase;
  let other: Database;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sqlite-database-'));
    sqlite = new SqliteDatabase(defaultConfig({ DATA_DIR: dir }));
    sqlite.connection.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)');
    sqlite.connection.prepare('INSERT INTO t VALUES (1, 0)').run();
    // Another writer of the same file, as the telemetry store thread is.
    other = new BetterSqlite3(sqlite.file);
    other.pragma('busy_timeout = 0');
  });

  afterEach(async () => {
    other.close();
    await sqlite.onApplicationShutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  it('takes the write lock when a transaction begins: another writer cannot commit in between', () => {
    const read = sqlite.connection.prepare<[], { n: number }>('SELECT n FROM t WHERE id = 1');
    const write = sqlite.connection.prepare<[number]>('UPDATE t SET n = ? WHERE id = 1');
    let otherWriter: unknown;
    sqlite.connection.transaction(() => {
      const { n } = read.get()!;
      try {
        other.prepare('INSERT INTO t VALUES (2, 0)').run();
      } catch (err) {
        otherWriter = err;
      }
      // A deferred transaction fails here with SQLITE_BUSY_SNAPSHOT when the other one committed.
      write.run(n + 1);
    })();
    assert.equal((otherWriter as { code?: string } | undefined)?.code, 'SQLITE_BUSY');
    assert.equal(read.get()!.n, 1);
  });
});
