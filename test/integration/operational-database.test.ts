import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { Logger, type LoggerService } from '@nestjs/common';
import { sql } from 'kysely';
import { defaultConfig } from '#src/app-settings.js';
import { OperationalDatabase } from '#src/storage/operational-database.js';
import { OperationalStoreConfig } from '#src/storage/operational-store.config.js';
import { SqliteDatabase } from '#src/storage/sqlite-database.js';
import { startPostgres, type PostgresServer } from '#test/support/postgres.js';

describe(OperationalDatabase.name, () => {
  let server: PostgresServer;
  let dir: string;
  let sqlite: SqliteDatabase;
  const opened: OperationalDatabase[] = [];
  const open = (url: string | undefined): OperationalDatabase => {
    const store = new OperationalDatabase(new OperationalStoreConfig({ DATABASE_URL: url }), sqlite);
    opened.push(store);
    return store;
  };

  before(async () => {
    server = await startPostgres();
  });
  after(() => server.stop());
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'operational-database-'));
    sqlite = new SqliteDatabase(defaultConfig({ DATA_DIR: dir }));
  });
  afterEach(async () => {
    for (const store of opened.splice(0)) await store.onApplicationShutdown();
    await sqlite.onApplicationShutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  it('without DATABASE_URL is the SQLite file of DATA_DIR, on its one connection', async () => {
    const store = open(undefined);
    assert.equal(store.dialect, 'sqlite');
    await sql`CREATE TABLE t (n INTEGER)`.execute(store.db);
    await sql`INSERT INTO t VALUES (7)`.execute(store.db);
    assert.deepEqual(sqlite.connection.prepare('SELECT n FROM t').all(), [{ n: 7 }]);
    assert.equal(await store.isHealthy(), true);
  });

  it('with a postgres:// DATABASE_URL is that PostgreSQL, and logs the URL without its password', async () => {
    const lines: string[] = [];
    const capture = (message: unknown) => void lines.push(String(message));
    const logger: LoggerService = {
      log: capture,
      error: capture,
      warn: capture,
      debug: capture,
      verbose: capture,
    };
    Logger.overrideLogger(logger);
    try {
      // Trust authentication ignores the password: the URL still carries one, as in production.
      const url = (await server.createDatabase()).replace('postgres@', 'postgres:pg-secret-4711@');
      const store = open(url);
      assert.equal(store.dialect, 'postgres');
      await sql`CREATE TABLE t (n BIGINT)`.execute(store.db);
      await sql`INSERT INTO t VALUES (1765000000000)`.execute(store.db);
      const { rows } = await sql<{ n: number }>`SELECT n FROM t`.execute(store.db);
      assert.deepEqual(rows, [{ n: 1765000000000 }], 'BIGINT read as a number');
      assert.equal(
        sqlite.connection.prepare("SELECT name FROM sqlite_master WHERE name = 't'").get(),
        undefined,
      );
      assert.equal(await store.isHealthy(), true);
      const opening = lines.find((l) => l.startsWith('PostgreSQL at'));
      assert.ok(opening?.includes('postgres:***@127.0.0.1'), opening);
      assert.ok(!lines.join('\n').includes('pg-secret-4711'), 'no password in the log');
    } finally {
      Logger.overrideLogger(true);
    }
  });

  it('migrates through the dialect chosen: two nodes starting at once on PostgreSQL apply a version once', async () => {
    const migrations = [
      {
        version: 1,
        description: 't',
        up: { sqlite: 'CREATE TABLE t (n INTEGER)', postgres: 'CREATE TABLE t (n INTEGER)' },
      },
    ];
    const url = await server.createDatabase();
    const [a, b] = [open(url), open(url)];
    await Promise.all([a.migrate('t', migrations), b.migrate('t', migrations)]);
    const { rows } = await sql<{
      version: number;
    }>`SELECT version FROM schema_migrations WHERE scope = 't'`.execute(a.db);
    assert.deepEqual(rows, [{ version: 1 }]);
    const local = open(undefined);
    await local.migrate('t', migrations);
    await local.migrate('t', migrations);
    assert.deepEqual(
      sqlite.connection.prepare("SELECT version FROM schema_migrations WHERE scope = 't'").all(),
      [{ version: 1 }],
    );
  });

  it('reports unhealthy while PostgreSQL does not answer', async () => {
    const url = (await server.createDatabase()).replace(/:\d+\//, ':1/');
    assert.equal(await open(url).isHealthy(), false);
  });
});
