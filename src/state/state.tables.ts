import type { Database, Statement } from 'better-sqlite3';
import type { PageIds, PageIdsOf } from './state-pages.js';
import type { StateStore } from './state-store.js';

/** A page as stored: its numbers and presence bits as they were held in memory, and its ids. */
export interface StoredPage {
  partition: number;
  page: number;
  numbers: Float64Array;
  present: Uint8Array;
  /** Its dedupe windows, when written (they are written less often than the numbers). */
  window?: Float64Array;
  ids: PageIds;
}

/** A container's row: its rule states (`{ ruleId: state }`) and journey row, JSON. */
export interface StoredRow {
  containerId: string;
  rules: string | null;
  journey: string | null;
}

/** A row of `state_pages` as either store reads it. */
export interface PageRow {
  partition: number;
  page: number;
  numbers: Buffer;
  present: Buffer;
  dedupe: Buffer | null;
  ids: string;
}

/** A stored page from its row. */
export function storedPage(row: PageRow): StoredPage {
  return {
    partition: row.partition,
    page: row.page,
    // Copied out of the row's buffer: a Float64Array needs its own aligned memory.
    numbers: new Float64Array(new Uint8Array(row.numbers).buffer),
    present: new Uint8Array(row.present),
    ...(row.dedupe !== null && { window: new Float64Array(new Uint8Array(row.dedupe).buffer) }),
    ids: JSON.parse(row.ids) as PageIds,
  };
}

/** SQL access to the state tables in the SQLite file (state.migrations.ts). */
export class StateTables implements StateStore {
  private readonly upsertPage: Statement<[number, number, Buffer, Buffer, string, number]>;
  private readonly updateWindow: Statement<[Buffer, number, number]>;
  private readonly upsertRules: Statement<[string, number, string, number]>;
  private readonly upsertJourney: Statement<[string, number, string, number]>;
  private readonly deleteRow: Statement<[string]>;

  constructor(private readonly db: Database) {
    this.upsertPage = db.prepare(
      `INSERT INTO state_pages (partition, page, numbers, present, ids, updated_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT(partition, page) DO UPDATE SET numbers = excluded.numbers, present = excluded.present,
         ids = excluded.ids, updated_at = excluded.updated_at`,
    );
    this.updateWindow = db.prepare('UPDATE state_pages SET dedupe = ? WHERE partition = ? AND page = ?');
    this.upsertRules = db.prepare(
      `INSERT INTO container_states (container_id, partition, rules, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT(container_id) DO UPDATE SET rules = excluded.rules, updated_at = excluded.updated_at`,
    );
    this.upsertJourney = db.prepare(
      `INSERT INTO container_states (container_id, partition, journey, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT(container_id) DO UPDATE SET journey = excluded.journey, updated_at = excluded.updated_at`,
    );
    this.deleteRow = db.prepare('DELETE FROM container_states WHERE container_id = ?');
  }

  get open(): boolean {
    return this.db.open;
  }

  /** Nothing waits: every write is stored when its call returns. */
  readonly waiting = 0;

  /** The stored pages of these partitions (every one when `partitions` is undefined), in order. */
  *pages(partitions?: readonly number[]): IterableIterator<StoredPage> {
    const rows = this.db
      .prepare<unknown[], PageRow>(
        `SELECT partition, page, numbers, present, dedupe, ids FROM state_pages
         ${partitions === undefined ? '' : `WHERE partition IN (${placeholders(partitions)})`}
         ORDER BY partition, page`,
      )
      .iterate(...(partitions ?? []));
    for (const row of rows) yield storedPage(row);
  }

  /** The stored rows of these partitions (every one when `partitions` is undefined). */
  rows(partitions?: readonly number[]): StoredRow[] {
    return this.db
      .prepare<unknown[], StoredRow>(
        `SELECT container_id AS containerId, rules, journey FROM container_states
         ${partitions === undefined ? '' : `WHERE partition IN (${placeholders(partitions)})`}`,
      )
      .all(...(partitions ?? []));
  }

  writePage(
    partition: number,
    page: number,
    numbers: Float64Array,
    present: Uint8Array,
    ids: PageIdsOf,
    nowMs: number,
  ): void {
    this.upsertPage.run(
      partition,
      page,
      Buffer.from(numbers.buffer, numbers.byteOffset, numbers.byteLength),
      Buffer.from(present.buffer, present.byteOffset, present.byteLength),
      JSON.stringify(ids.build()),
      nowMs,
    );
  }

  /** Writes a page's windows into its row; false when the row is not written yet. */
  writeWindow(partition: number, page: number, window: Float64Array): boolean {
    const bytes = Buffer.from(window.buffer, window.byteOffset, window.byteLength);
    return this.updateWindow.run(bytes, partition, page).changes > 0;
  }

  writeRules(containerId: string, partition: number, json: string, nowMs: number): void {
    this.upsertRules.run(containerId, partition, json, nowMs);
  }

  writeJourney(containerId: string, partition: number, json: string, nowMs: number): void {
    this.upsertJourney.run(containerId, partition, json, nowMs);
  }

  forget(containerId: string): void {
    this.deleteRow.run(containerId);
  }

  dropWaiting(): void {
    // Every write is stored before transaction() returns: nothing waits.
  }

  /** The partition count the tables were written with (undefined: never written). */
  partitions(): number | undefined {
    return this.db.prepare<[], number>("SELECT value FROM state_meta WHERE key = 'partitions'").pluck().get();
  }

  /**
   * Records a new partition count: the rows get their new partition (`partitionOf`, registered
   * as an SQL function), the pages of the old count are dropped (their states are put in new
   * pages by the caller, and written again).
   */
  repartition(partitions: number, partitionOf: (containerId: string) => number): void {
    this.db.function('convoi_partition_of', { deterministic: true }, (id: unknown) =>
      partitionOf(String(id)),
    );
    this.db.exec('UPDATE container_states SET partition = convoi_partition_of(container_id)');
    this.db.exec('DELETE FROM state_pages');
    this.db
      .prepare(
        "INSERT INTO state_meta (key, value) VALUES ('partitions', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
      )
      .run(partitions);
  }

  /** Ids of the containers that exist: a state left by one deleted just before a crash is dropped. */
  containerIds(): Set<string> | undefined {
    if (!this.hasTable('containers')) return undefined;
    return new Set(this.db.prepare<[], string>('SELECT id FROM containers').pluck().all());
  }

  hasTable(name: string): boolean {
    return (
      this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined
    );
  }

  transaction(work: () => void): void {
    this.db.transaction(work)();
  }
}

function placeholders(values: readonly unknown[]): string {
  return values.length === 0 ? 'NULL' : values.map(() => '?').join(', ');
}
