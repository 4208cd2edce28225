import BetterSqlite3, { type Database } from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { MigrateStoreError } from './migrate-store.error.js';

/** A row as better-sqlite3 returns it. */
export type SqliteRow = Record<string, unknown>;

/**
 * The SQLite files of a stopped convoi deployment (DATA_DIR), read under an exclusive lock.
 *
 * A running convoi keeps convoi.sqlite and telemetry.sqlite open in WAL mode from start to stop,
 * and an open WAL connection keeps any other from taking the file's exclusive lock: taking it is
 * how this source knows convoi is stopped, and holding it until {@link close} keeps a convoi
 * started meanwhile from writing rows that would not be moved (it fails to open its store). The
 * kernel drops the lock if this process dies, as it does the inbox's owner lock.
 */
export class SqliteSource {
  private readonly files = new Map<string, Database>();

  constructor(private readonly dataDir: string) {}

  /** Opens and locks `file` of DATA_DIR; throws when it is missing or convoi has it open. */
  open(file: string): void {
    if (this.files.has(file)) return;
    const path = join(this.dataDir, file);
    if (!existsSync(path))
      throw new MigrateStoreError(
        `${path} does not exist: is DATA_DIR a SQLite deployment of this version of convoi? ` +
          '(start this version once on SQLite, stop it, then move its store)',
      );
    // timeout 0: a busy file means a running convoi, and waiting would not make it stop.
    const db = new BetterSqlite3(path, { fileMustExist: true, timeout: 0 });
    try {
      // Held from BEGIN EXCLUSIVE until the connection closes, not only until the transaction ends.
      db.pragma('locking_mode = EXCLUSIVE');
      db.exec('BEGIN EXCLUSIVE');
    } catch (error) {
      db.close();
      if ((error as { code?: string }).code !== 'SQLITE_BUSY') throw error;
      throw new MigrateStoreError(
        `${path} is open in another process: stop convoi (every process on this DATA_DIR) before moving its store`,
      );
    }
    this.files.set(file, db);
  }

  /** The table's columns, in table order; empty when the table does not exist. */
  columns(file: string, table: string): string[] {
    return this.db(file)
      .prepare<[string], { name: string }>('SELECT name FROM pragma_table_info(?) ORDER BY cid')
      .all(table)
      .map((c) => c.name);
  }

  count(file: string, table: string): number {
    return this.db(file).prepare<[], { n: number }>(`SELECT count(*) AS n FROM "${table}"`).get()!.n;
  }

  /** Every row of a query (small answers only: {@link batches} pages through tables). */
  all<T>(file: string, query: string): T[] {
    return this.db(file).prepare<[], T>(query).all();
  }

  /**
   * The table's rows in primary-key order, `size` at a time (keyset pagination: each page
   * starts after the last key of the one before, so a page costs the same however deep).
   */
  *batches(
    file: string,
    table: string,
    columns: readonly string[],
    key: readonly string[],
    size: number,
  ): Generator<SqliteRow[]> {
    const list = columns.map((c) => `"${c}"`).join(', ');
    const keys = key.map((c) => `"${c}"`).join(', ');
    const first = this.db(file).prepare<[number], SqliteRow>(
      `SELECT ${list} FROM "${table}" ORDER BY ${keys} LIMIT ?`,
    );
    const next = this.db(file).prepare<unknown[], SqliteRow>(
      `SELECT ${list} FROM "${table}" WHERE (${keys}) > (${key.map(() => '?').join(', ')}) ORDER BY ${keys} LIMIT ?`,
    );
    let page = first.all(size);
    while (page.length > 0) {
      yield page;
      if (page.length < size) return;
      const last = page[page.length - 1];
      page = next.all(...key.map((c) => last[c]), size);
    }
  }

  /** Releases the locks: convoi may start again. */
  close(): void {
    for (const db of this.files.values()) if (db.open) db.close();
    this.files.clear();
  }

  private db(file: string): Database {
    const db = this.files.get(file);
    if (db === undefined) throw new Error(`${file} is not open`);
    return db;
  }
}
