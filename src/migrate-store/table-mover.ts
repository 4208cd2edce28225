import { sql, type Kysely } from 'kysely';
import { MigrateStoreError } from './migrate-store.error.js';
import type { MovedTable } from './moved-tables.js';
import {
  advanceIdentities,
  insertRows,
  targetBatches,
  targetColumns,
  targetCount,
  type TargetColumn,
} from './postgres-target.js';
import { toTarget } from './row-values.js';
import type { SqliteSource } from './sqlite-source.js';
import { TableDigest } from './table-digest.js';

/** What is done with a table, decided before anything is written. */
export type TableAction = 'copy' | 'replace' | 'already-there';

/** A table's plan: an action, or a refusal (its target holds other rows, and no --replace). */
export type TablePlan =
  { action: TableAction; targetRows: number } | { action: 'refuse'; targetRows: number; sourceRows: number };

/**
 * One table moved from its SQLite file to PostgreSQL: checked (same columns on both sides),
 * copied in one transaction (so a failure leaves the target table as it was), and compared row
 * by row through {@link TableDigest}.
 */
export class TableMover {
  private columns: TargetColumn[] = [];

  constructor(
    readonly moved: MovedTable,
    private readonly source: SqliteSource,
    private readonly target: Kysely<object>,
    private readonly batchSize: number,
  ) {}

  get table(): string {
    return this.moved.table;
  }

  /**
   * Checks that both sides have the table with the same columns (a column only on one side would
   * be lost or left empty), then decides: copy into an empty table, leave a table that already
   * holds exactly the source's rows (a run resumed after a failure), replace one that holds other
   * rows when `replace` is given, or refuse it (the caller names every such table at once).
   */
  async plan(replace: boolean): Promise<TablePlan> {
    const { table, file } = this.moved;
    const sourceColumns = this.source.columns(file, table);
    if (sourceColumns.length === 0)
      throw new MigrateStoreError(
        `${file} has no table ${table}: start this version of convoi once on SQLite (it migrates its files), stop it, then move the store`,
      );
    this.columns = await targetColumns(this.target, table);
    const targetNames = new Set(this.columns.map((c) => c.name));
    const onlySource = sourceColumns.filter((c) => !targetNames.has(c));
    const onlyTarget = [...targetNames].filter((c) => !sourceColumns.includes(c));
    if (onlySource.length > 0 || onlyTarget.length > 0)
      throw new MigrateStoreError(
        `${table} differs between ${file} (${onlySource.join(', ') || 'no other column'}) and PostgreSQL ` +
          `(${onlyTarget.join(', ') || 'no other column'}): are both at this version of convoi?`,
      );
    const targetRows = await targetCount(this.target, table);
    if (targetRows === 0) return { action: 'copy', targetRows };
    const [source, target] = [this.sourceDigest(), await this.targetDigest()];
    if (source.equals(target)) return { action: 'already-there', targetRows };
    if (replace) return { action: 'replace', targetRows };
    return { action: 'refuse', targetRows, sourceRows: source.rows };
  }

  /** Copies every source row, in key order, `batchSize` at a time, in one transaction. Returns the rows copied. */
  async copy(action: TableAction): Promise<number> {
    if (action === 'already-there') return 0;
    const { table, file, key } = this.moved;
    await this.moved.prepare?.(this.source, this.target);
    const names = this.columns.map((c) => c.name);
    return this.target.transaction().execute(async (trx) => {
      if (action === 'replace') await (this.moved.empty ?? emptyTable(table))(trx);
      let copied = 0;
      for (const batch of this.source.batches(file, table, names, key, this.batchSize)) {
        const rows = batch.map((row) => this.columns.map((c) => toTarget(row[c.name], c, table)));
        await insertRows(trx, table, this.columns, rows);
        copied += rows.length;
      }
      await advanceIdentities(trx, table, this.columns);
      return copied;
    });
  }

  /** Both sides' rows, counted and digested. */
  async compare(): Promise<{ source: TableDigest; target: TableDigest }> {
    return { source: this.sourceDigest(), target: await this.targetDigest() };
  }

  private sourceDigest(): TableDigest {
    const { table, file, key } = this.moved;
    const names = this.columns.map((c) => c.name);
    const digest = new TableDigest();
    for (const batch of this.source.batches(file, table, names, key, this.batchSize))
      for (const row of batch) digest.add(row, names);
    return digest;
  }

  private async targetDigest(): Promise<TableDigest> {
    const { table, key } = this.moved;
    const names = this.columns.map((c) => c.name);
    const digest = new TableDigest();
    for await (const batch of targetBatches(this.target, table, names, key, this.batchSize))
      for (const row of batch) digest.add(row, names);
    return digest;
  }
}

function emptyTable(table: string): (trx: Kysely<object>) => Promise<void> {
  return async (trx) => {
    await sql`DELETE FROM ${sql.id(table)}`.execute(trx);
  };
}
