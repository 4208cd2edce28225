import { setImmediate as nextTurn } from 'node:timers/promises';
import { sql, type Kysely } from 'kysely';
import { PartitionFence } from '#src/storage/partition-fence.js';
import { PageCopies } from './page-copies.js';
import type { PageIds, PageIdsOf } from './state-pages.js';
import { StatementBytes } from './statement-bytes.js';
import type { StateStore } from './state-store.js';
import { storedPage, type StoredPage, type StoredRow } from './state.tables.js';

/** The state tables in PostgreSQL (state.migrations.ts), as Kysely types them. */
type StateDb = {
  state_pages: {
    partition: number;
    page: number;
    numbers: Buffer;
    present: Buffer;
    dedupe: Buffer | null;
    ids: string;
    updated_at: number;
  };
  container_states: {
    container_id: string;
    partition: number;
    rules: string | null;
    journey: string | null;
    updated_at: number;
  };
};

/**
 * A page to write: copies of its arrays taken at the write, so memory may change meanwhile.
 * `numbers` null: only its windows are written; `ids` null: its stored ids stay.
 */
interface PageWrite {
  partition: number;
  page: number;
  numbers: Buffer | null;
  present: Buffer | null;
  dedupe: Buffer | null;
  ids: string | null;
  at: number;
}

/** A container's row to write: null leaves the stored part as it is. */
interface RowWrite {
  partition: number;
  rules: string | null;
  journey: string | null;
  at: number;
}

/**
 * Most pages and rows one statement carries: what pg turns into its parameters in one go on the
 * main thread (a page's numbers are ~25 KB of hex). After an outage the writes waiting go in
 * several statements, each alone on the event loop.
 */
const PAGES_PER_STATEMENT = 32;
const ROWS_PER_STATEMENT = 2000;

/**
 * Free page copies kept of each size: a checkpoint's slice of ~4 ms takes a few hundred pages at
 * most (PageCopies), and more waiting only after an outage, which need not keep its buffers.
 */
const PAGE_COPIES_KEPT = 512;

/**
 * The container states' writes to PostgreSQL (ARCHITECTURE.md §5). A write only records what to
 * store, keyed by page or container (a later write of the same key replaces it); a
 * {@link transaction} then sends what waits in statements of multi-row upserts (`unnest` of one
 * array per column), each its own transaction. A statement that fails leaves its writes waiting,
 * and the next transaction sends them again: nothing is dropped while PostgreSQL is away, and
 * nothing waits on it but the checkpoint. One statement is in flight at a time, in order.
 */
export class PostgresStateTables implements StateStore {
  private readonly db: Kysely<StateDb>;
  private readonly pages = new Map<string, PageWrite>();
  private readonly rows = new Map<string, RowWrite>();
  private readonly deletes = new Map<string, object>();
  private readonly bytes = new StatementBytes();
  /** The buffers of the pages waiting: each is released when its write leaves {@link pages}. */
  private readonly copies = new PageCopies(PAGE_COPIES_KEPT);
  /**
   * Per page, the ids its last write recorded: a page written again with the same ids (the
   * common case: its containers' numbers changed, not who is in it) sends none, which spares the
   * JSON, its text encoding and the server's rewrite of the stored text.
   */
  private readonly recordedIds = new Map<string, PageIds>();
  private sending: Promise<void> = Promise.resolve();
  /** The send queued behind the one in flight: every transaction until it starts joins it. */
  private queued?: Promise<void>;
  open = true;

  constructor(
    db: Kysely<object>,
    /** Cluster mode: a partition's pages and rows are written only under its epoch (partition-fence.ts). */
    private readonly fence: PartitionFence = new PartitionFence(),
  ) {
    this.db = db.withTables<StateDb>();
  }

  /** Writes waiting to be stored (pages, rows, deletes): 0 once everything is stored. */
  get waiting(): number {
    return this.pages.size + this.rows.size + this.deletes.size;
  }

  transaction(work: () => void): Promise<void> {
    work();
    if (this.queued !== undefined) return this.queued;
    const queued = this.sending
      .catch(() => undefined)
      .then(() => {
        this.queued = undefined;
        return this.sendAll();
      });
    this.queued = queued;
    this.sending = queued;
    return queued;
  }

  writePage(
    partition: number,
    page: number,
    numbers: Float64Array,
    present: Uint8Array,
    ids: PageIdsOf,
    nowMs: number,
  ): void {
    const key = pageKey(partition, page);
    const waiting = this.pages.get(key);
    const sameIds = ids.sameAs(this.recordedIds.get(key));
    let json: string | null = null;
    if (!sameIds) {
      const built = ids.build();
      this.recordedIds.set(key, built);
      json = JSON.stringify(built);
    }
    // Its windows go on with the new write; its numbers are replaced (and copied into the
    // statement already if one is sending it: see sendSome).
    this.copies.release(waiting?.numbers ?? null);
    this.copies.release(waiting?.present ?? null);
    this.pages.set(key, {
      partition,
      page,
      numbers: this.copies.copy(numbers),
      present: this.copies.copy(present),
      // Windows recorded for the page and not sent yet go with it, and so do its ids.
      dedupe: waiting?.dedupe ?? null,
      ids: sameIds ? (waiting?.ids ?? null) : json,
      at: nowMs,
    });
  }

  /**
   * Records a page's windows: with the page when it waits to be written, else as an update of its
   * stored row (none yet: the windows are written with the page's next change).
   */
  writeWindow(partition: number, page: number, window: Float64Array): boolean {
    const key = pageKey(partition, page);
    const waiting = this.pages.get(key);
    this.copies.release(waiting?.dedupe ?? null);
    const dedupe = this.copies.copy(window);
    this.pages.set(
      key,
      waiting === undefined || waiting.numbers === null
        ? { partition, page, numbers: null, present: null, dedupe, ids: null, at: 0 }
        : { ...waiting, dedupe },
    );
    return true;
  }

  writeRules(containerId: string, partition: number, json: string, nowMs: number): void {
    const waiting = this.rows.get(containerId);
    this.deletes.delete(containerId);
    this.rows.set(containerId, { partition, rules: json, journey: waiting?.journey ?? null, at: nowMs });
  }

  writeJourney(containerId: string, partition: number, json: string, nowMs: number): void {
    const waiting = this.rows.get(containerId);
    this.deletes.delete(containerId);
    this.rows.set(containerId, { partition, rules: waiting?.rules ?? null, journey: json, at: nowMs });
  }

  forget(containerId: string): void {
    this.rows.delete(containerId);
    this.deletes.set(containerId, {});
  }

  dropWaiting(partitions: ReadonlySet<number>): void {
    for (const [key, w] of this.pages) if (partitions.has(w.partition)) this.forgetPage(key, w);
    for (const [id, w] of this.rows) if (partitions.has(w.partition)) this.rows.delete(id);
  }

  /** The stored pages and rows of these partitions (the reads of a restore). */
  async read(partitions: readonly number[]): Promise<{ pages: StoredPage[]; rows: StoredRow[] }> {
    if (partitions.length === 0) return { pages: [], rows: [] };
    const list = [...partitions];
    // Another process may have written these pages since this one did: their next write sends ids.
    for (const key of this.recordedIds.keys())
      if (partitions.includes(pagePartition(key))) this.recordedIds.delete(key);
    const [pages, rows] = await Promise.all([
      this.db
        .selectFrom('state_pages')
        .select(['partition', 'page', 'numbers', 'present', 'dedupe', 'ids'])
        .where('partition', 'in', list)
        .orderBy('partition')
        .orderBy('page')
        .execute(),
      this.db
        .selectFrom('container_states')
        .select(['container_id as containerId', 'rules', 'journey'])
        .where('partition', 'in', list)
        .execute(),
    ]);
    return {
      pages: pages.map(storedPage),
      rows,
    };
  }

  /** Sends what waits, a bounded statement at a time; rejects with the first that fails. */
  private async sendAll(): Promise<void> {
    while (this.waiting > 0) {
      await this.sendSome();
      if (this.waiting > 0) await nextTurn();
    }
  }

  private async sendSome(): Promise<void> {
    const pages = take(this.pages, PAGES_PER_STATEMENT);
    const rows = take(this.rows, ROWS_PER_STATEMENT);
    const deletes = take(this.deletes, ROWS_PER_STATEMENT);
    const full = pages.filter(([, w]) => w.numbers !== null && w.ids !== null).map(([, w]) => w);
    // A page whose recorded ids are the same was stored with them (or waits with them): updated.
    const kept = pages.filter(([, w]) => w.numbers !== null && w.ids === null).map(([, w]) => w);
    const windows = pages.filter(([, w]) => w.numbers === null).map(([, w]) => w);
    // The pages' bytes go as three binary parameters, each page's part cut out by offset: an
    // array of bytea would be sent as hex text, twice the bytes, encoded on this thread. They
    // are copied in before the statement is sent, so a write that replaces one of these
    // meanwhile may release its copies.
    this.bytes.reset(); // the statement before has completed
    const numbers = this.bytes.parts(full.map((w) => w.numbers));
    const present = this.bytes.parts(full.map((w) => w.present));
    const dedupe = this.bytes.parts(full.map((w) => w.dedupe));
    const keptNumbers = this.bytes.parts(kept.map((w) => w.numbers));
    const keptPresent = this.bytes.parts(kept.map((w) => w.present));
    const keptDedupe = this.bytes.parts(kept.map((w) => w.dedupe));
    const windowBytes = this.bytes.parts(windows.map((w) => w.dedupe));
    // The fence first: a partition taken by another processor since is left out, and reported.
    // Deletes are not fenced: a container deleted from the fleet is deleted by whoever learns it.
    const guard = this.fence.guard([
      ...pages.map(([, w]) => w.partition),
      ...rows.map(([, w]) => w.partition),
    ]);
    // One statement, so one transaction: the pages and rows of a slice are stored together.
    // Keys are unique within each list (maps), and a page is either written or its windows
    // updated, so no row is changed twice by the statement.
    const { rows: fenced } = await sql<{ partition: number; epoch: number }>`
      WITH ${guard.ctes()}, pages AS (
        INSERT INTO state_pages (partition, page, numbers, present, dedupe, ids, updated_at)
        SELECT p.partition, p.page, substring(${numbers.blob}::bytea FROM p.n_at FOR p.n_len),
          substring(${present.blob}::bytea FROM p.p_at FOR p.p_len),
          CASE WHEN p.d_len < 0 THEN NULL ELSE substring(${dedupe.blob}::bytea FROM p.d_at FOR p.d_len) END,
          p.ids, p.at
        FROM unnest(${full.map((w) => w.partition)}::int[], ${full.map((w) => w.page)}::int[],
          ${numbers.at}::int[], ${numbers.length}::int[], ${present.at}::int[], ${present.length}::int[],
          ${dedupe.at}::int[], ${dedupe.length}::int[], ${full.map((w) => w.ids)}::text[],
          ${full.map((w) => w.at)}::bigint[])
          AS p(partition, page, n_at, n_len, p_at, p_len, d_at, d_len, ids, at)
        WHERE ${guard.admits('p.partition')}
        ON CONFLICT (partition, page) DO UPDATE SET numbers = excluded.numbers,
          present = excluded.present, dedupe = COALESCE(excluded.dedupe, state_pages.dedupe),
          ids = excluded.ids, updated_at = excluded.updated_at
      ), kept AS (
        UPDATE state_pages AS s SET numbers = substring(${keptNumbers.blob}::bytea FROM k.n_at FOR k.n_len),
          present = substring(${keptPresent.blob}::bytea FROM k.p_at FOR k.p_len),
          dedupe = CASE WHEN k.d_len < 0 THEN s.dedupe ELSE substring(${keptDedupe.blob}::bytea FROM k.d_at FOR k.d_len) END,
          updated_at = k.at
        FROM unnest(${kept.map((w) => w.partition)}::int[], ${kept.map((w) => w.page)}::int[],
          ${keptNumbers.at}::int[], ${keptNumbers.length}::int[], ${keptPresent.at}::int[],
          ${keptPresent.length}::int[], ${keptDedupe.at}::int[], ${keptDedupe.length}::int[],
          ${kept.map((w) => w.at)}::bigint[]) AS k(partition, page, n_at, n_len, p_at, p_len, d_at, d_len, at)
        WHERE s.partition = k.partition AND s.page = k.page AND ${guard.admits('k.partition')}
      ), windows AS (
        UPDATE state_pages AS s SET dedupe = substring(${windowBytes.blob}::bytea FROM w.d_at FOR w.d_len)
        FROM unnest(${windows.map((w) => w.partition)}::int[], ${windows.map((w) => w.page)}::int[],
          ${windowBytes.at}::int[], ${windowBytes.length}::int[]) AS w(partition, page, d_at, d_len)
        WHERE s.partition = w.partition AND s.page = w.page AND ${guard.admits('w.partition')}
      ), rows AS (
        INSERT INTO container_states (container_id, partition, rules, journey, updated_at)
        SELECT * FROM unnest(${rows.map(([id]) => id)}::text[], ${rows.map(([, w]) => w.partition)}::int[],
          ${rows.map(([, w]) => w.rules)}::text[], ${rows.map(([, w]) => w.journey)}::text[],
          ${rows.map(([, w]) => w.at)}::bigint[]) AS r(container_id, partition, rules, journey, at)
        WHERE ${guard.admits('r.partition')}
        ON CONFLICT (container_id) DO UPDATE SET partition = excluded.partition,
          rules = COALESCE(excluded.rules, container_states.rules),
          journey = COALESCE(excluded.journey, container_states.journey), updated_at = excluded.updated_at
      ), gone AS (
        DELETE FROM container_states WHERE container_id = ANY(${deletes.map(([id]) => id)}::text[])
      )
      SELECT partition, epoch FROM fence`.execute(this.db);
    // Stored (or fenced, never to be stored by this process): what was written again meanwhile
    // (another entry under the key) still waits.
    for (const [key, w] of pages) if (this.pages.get(key) === w) this.forgetPage(key, w);
    for (const [key, w] of rows) if (this.rows.get(key) === w) this.rows.delete(key);
    for (const [key, w] of deletes) if (this.deletes.get(key) === w) this.deletes.delete(key);
    // Refused partitions are reported (their owner here drops them, and their waiting writes).
    guard.settle(fenced);
  }

  /** A page's write leaves the waiting ones (stored, or dropped): its copies are free. */
  private forgetPage(key: string, w: PageWrite): void {
    this.pages.delete(key);
    this.copies.release(w.numbers);
    this.copies.release(w.present);
    this.copies.release(w.dedupe);
  }
}

function pageKey(partition: number, page: number): string {
  return `${partition}:${page}`;
}

function pagePartition(key: string): number {
  return Number(key.slice(0, key.indexOf(':')));
}

/** Up to `limit` entries of a map, oldest first, left in it. */
function take<V>(map: Map<string, V>, limit: number): [string, V][] {
  const out: [string, V][] = [];
  for (const entry of map) {
    if (out.length === limit) break;
    out.push(entry);
  }
  return out;
}
