import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { CompiledSqliteStatement } from './compiled-sqlite.statement.js';

interface Row {
  id: string;
  n: number;
  note: string | null;
}

describe(CompiledSqliteStatement.name, () => {
  let connection: Database;
  let db: Kysely<{ t: Row }>;

  beforeEach(() => {
    connection = new BetterSqlite3(':memory:');
    connection.exec('CREATE TABLE t (id TEXT PRIMARY KEY, n INTEGER NOT NULL, note TEXT)');
    db = new Kysely<{ t: Row }>({ dialect: new SqliteDialect({ database: connection }) });
  });
  afterEach(() => connection.close());

  const rows = () => connection.prepare('SELECT * FROM t ORDER BY id').all();

  it('runs the Kysely query with each row, parameters bound to their columns in any order', () => {
    // The upsert's parameters come in column order; a WHERE may name a column again, out of order.
    const upsert = new CompiledSqliteStatement<Row>(connection, ['id', 'n', 'note'], (row) =>
      db
        .insertInto('t')
        .values(row)
        .onConflict((oc) =>
          oc.column('id').doUpdateSet((eb) => ({ n: eb.ref('excluded.n'), note: eb.ref('excluded.note') })),
        ),
    );
    const bump = new CompiledSqliteStatement<Pick<Row, 'id' | 'n'>>(connection, ['id', 'n'], (row) =>
      db
        .updateTable('t')
        .set({ n: sql`n + ${row.n}` })
        .where('id', '=', row.id),
    );
    upsert.run({ id: 'a', n: 1, note: null });
    upsert.run({ id: 'b', n: 2, note: 'x' });
    upsert.run({ id: 'a', n: 5, note: 'y' });
    bump.run({ id: 'b', n: 10 });
    assert.deepEqual(rows(), [
      { id: 'a', n: 5, note: 'y' },
      { id: 'b', n: 12, note: 'x' },
    ]);
  });

  it('refuses a query that binds a value of its own (it could not be given again)', () => {
    assert.throws(
      () =>
        new CompiledSqliteStatement<Row>(connection, ['id', 'n', 'note'], (row) =>
          db.insertInto('t').values({ ...row, n: 7 }),
        ),
      /no column: 7/,
    );
  });

  it('reads the first row of a Kysely SELECT, its parameter repeated', () => {
    connection.exec("INSERT INTO t VALUES ('a', 1, NULL), ('b', 2, 'x')");
    const find = new CompiledSqliteStatement<{ key: string }>(connection, ['key'], (p) =>
      db.selectFrom('t').select(['id', 'n']).where('id', '=', p.key).where('note', 'is not', p.key),
    );
    assert.deepEqual(find.get({ key: 'b' }), { id: 'b', n: 2 });
    assert.equal(find.get({ key: 'zzz' }), undefined);
  });
});
