import { sql, type Kysely } from 'kysely';

/** A column of a target table, as PostgreSQL's catalog describes it. */
export interface TargetColumn {
  name: string;
  /** information_schema's data_type: `boolean`, `bigint`, `text`, `double precision`… */
  type: string;
  /** `GENERATED ALWAYS AS IDENTITY`: a copied value needs OVERRIDING SYSTEM VALUE. */
  identity: boolean;
}

/** PostgreSQL accepts at most 65,535 parameters in one statement. */
const MAX_PARAMETERS = 65_535;

/** The table's columns in table order; empty when the table does not exist. */
export async function targetColumns(db: Kysely<object>, table: string): Promise<TargetColumn[]> {
  const { rows } = await sql<{ name: string; type: string; identity: string }>`
    SELECT column_name AS name, data_type AS type, is_identity AS identity
    FROM information_schema.columns
    WHERE table_schema = current_schema() AND table_name = ${table}
    ORDER BY ordinal_position`.execute(db);
  return rows.map((r) => ({ name: r.name, type: r.type, identity: r.identity === 'YES' }));
}

export async function targetCount(db: Kysely<object>, table: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`SELECT count(*)::bigint AS n FROM ${sql.id(table)}`.execute(db);
  return Number(rows[0].n);
}

/** Inserts rows (values in `columns` order), as many per statement as the parameter limit allows. */
export async function insertRows(
  db: Kysely<object>,
  table: string,
  columns: readonly TargetColumn[],
  rows: readonly unknown[][],
): Promise<void> {
  const perStatement = Math.floor(MAX_PARAMETERS / columns.length);
  const names = sql.join(columns.map((c) => sql.id(c.name)));
  // The copied id is the row's identity (dispositions and audit entries are referred to by it).
  const overriding = columns.some((c) => c.identity) ? sql`OVERRIDING SYSTEM VALUE` : sql``;
  for (let from = 0; from < rows.length; from += perStatement) {
    const values = rows.slice(from, from + perStatement).map((row) => sql`(${sql.join(row)})`);
    await sql`INSERT INTO ${sql.id(table)} (${names}) ${overriding} VALUES ${sql.join(values)}`.execute(db);
  }
}

/**
 * Moves each identity column's sequence past the largest copied value: the next row convoi
 * inserts gets a new id, not one of the copied rows' (a duplicate key error).
 */
export async function advanceIdentities(
  db: Kysely<object>,
  table: string,
  columns: readonly TargetColumn[],
): Promise<void> {
  for (const c of columns.filter((col) => col.identity)) {
    await sql`SELECT setval(pg_get_serial_sequence(${table}, ${c.name}), max(${sql.id(c.name)}))
              FROM ${sql.id(table)} HAVING count(*) > 0`.execute(db);
  }
}

/** The table's rows in primary-key order, `size` at a time (keyset pagination, as on SQLite). */
export async function* targetBatches(
  db: Kysely<object>,
  table: string,
  columns: readonly string[],
  key: readonly string[],
  size: number,
): AsyncGenerator<Record<string, unknown>[]> {
  const list = sql.join(columns.map((c) => sql.id(c)));
  const keys = sql.join(key.map((c) => sql.id(c)));
  let after: unknown[] | undefined;
  for (;;) {
    const where = after === undefined ? sql`` : sql`WHERE (${keys}) > (${sql.join(after)})`;
    const { rows } = await sql<Record<string, unknown>>`
      SELECT ${list} FROM ${sql.id(table)} ${where} ORDER BY ${keys} LIMIT ${size}`.execute(db);
    if (rows.length === 0) return;
    yield rows;
    if (rows.length < size) return;
    const last = rows[rows.length - 1];
    after = key.map((c) => last[c]);
  }
}
