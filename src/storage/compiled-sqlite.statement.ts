import type { Database, Statement } from 'better-sqlite3';
import type { Compilable } from 'kysely';

/**
 * A Kysely query of the operational store, compiled once for SQLite and prepared once, then run
 * synchronously by better-sqlite3 with each row's values. For the few writes a hot path makes
 * inside a synchronous step (an alert change written before the rule state that raised it), and
 * the lookup of a connecting device's credential: the
 * query stays written once with Kysely for both dialects, without Kysely's per-call build,
 * compile, `prepare` and promise.
 *
 * `build` receives a row whose every value is a marker; the compiled parameters say which column
 * each `?` takes, so the query may order and repeat its parameters as it likes.
 */
export class CompiledSqliteStatement<Row extends object> {
  private readonly statement: Statement<unknown[]>;
  private readonly order: (keyof Row)[];

  constructor(connection: Database, columns: readonly (keyof Row)[], build: (row: Row) => Compilable) {
    const markers = Object.fromEntries(columns.map((c, i) => [c, `\u0000${i}`])) as Row;
    const compiled = build(markers).compile();
    this.order = compiled.parameters.map((p) => {
      const column =
        typeof p === 'string' && p.startsWith('\u0000') ? columns[Number(p.slice(1))] : undefined;
      if (column === undefined) throw new Error(`a parameter of the query is no column: ${String(p)}`);
      return column;
    });
    this.statement = connection.prepare(compiled.sql);
  }

  run(row: Row): void {
    this.statement.run(this.order.map((c) => row[c]));
  }

  /** The first row the query (a SELECT) returns with these values, or undefined. */
  get<Result>(row: Row): Result | undefined {
    return this.statement.get(this.order.map((c) => row[c])) as Result | undefined;
  }
}
