import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { migratePostgres } from '#src/storage/postgres-migrator.js';
import type { StoreMigration } from '#src/storage/store-migration.js';
import { startPostgres, type PostgresServer } from '#test/support/postgres.js';

const MIGRATIONS: readonly StoreMigration[] = [
  {
    version: 2,
    description: 'a column',
    // The first statement sleeps so that a second runner arrives while the first holds the lock.
    up: { sqlite: '', postgres: 'SELECT pg_sleep(0.3); ALTER TABLE things ADD COLUMN label TEXT' },
  },
  {
    version: 1,
    description: 'things',
    up: { sqlite: '', postgres: 'CREATE TABLE things (id INTEGER PRIMARY KEY)' },
  },
];

describe(migratePostgres.name, () => {
  let server: PostgresServer;
  let nodes: Kysely<object>[] = [];
  let url = '';

  /** A convoi node's connection pool to the test database. */
  const node = (): Kysely<object> => {
    const db = new Kysely<object>({
      dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url }) }),
    });
    nodes.push(db);
    return db;
  };
  const applied = async (db: Kysely<object>, scope: string) =>
    (
      await sql<{
        version: number;
      }>`SELECT version FROM schema_migrations WHERE scope = ${scope} ORDER BY version`.execute(db)
    ).rows.map((r) => r.version);

  before(async () => {
    server = await startPostgres();
  });
  after(async () => {
    await Promise.all(nodes.map((db) => db.destroy()));
    await server.stop();
  });
  beforeEach(async () => {
    await Promise.all(nodes.map((db) => db.destroy()));
    nodes = [];
    url = await server.createDatabase();
  });

  it('applies pending migrations in version order and nothing the second time', async () => {
    const db = node();
    assert.equal(await migratePostgres(db, 'things', MIGRATIONS), 2);
    assert.equal(await migratePostgres(db, 'things', MIGRATIONS), undefined);
    assert.deepEqual(await applied(db, 'things'), [1, 2]);
    await sql`INSERT INTO things (id, label) VALUES (1, 'x')`.execute(db);
  });

  it('is safe when two nodes start at once on a fresh database: both succeed, each migration applied once', async () => {
    const [a, b] = [node(), node()];
    const reached = await Promise.all([
      migratePostgres(a, 'things', MIGRATIONS),
      migratePostgres(b, 'things', MIGRATIONS),
    ]);
    // One node applied both versions; the other waited on the lock, then found nothing to do.
    assert.deepEqual(reached.sort(), [2, undefined]);
    assert.deepEqual(await applied(a, 'things'), [1, 2]);
  });

  it('rolls the whole scope back when one migration fails, and keeps other scopes apart', async () => {
    const db = node();
    const broken: StoreMigration[] = [
      MIGRATIONS[1],
      {
        version: 2,
        description: 'broken',
        up: { sqlite: '', postgres: 'ALTER TABLE nowhere ADD COLUMN x TEXT' },
      },
    ];
    await assert.rejects(migratePostgres(db, 'things', broken), /nowhere/);
    const tables = await sql<{
      n: number;
    }>`SELECT count(*) AS n FROM pg_tables WHERE tablename = 'things'`.execute(db);
    assert.equal(Number(tables.rows[0].n), 0, 'version 1 rolled back with version 2');
    assert.equal(await migratePostgres(db, 'things', MIGRATIONS), 2);
    assert.equal(
      await migratePostgres(db, 'others', [
        {
          version: 1,
          description: 'others',
          up: { sqlite: '', postgres: 'CREATE TABLE others (id INTEGER)' },
        },
      ]),
      1,
    );
    assert.deepEqual(await applied(db, 'others'), [1]);
  });
});
