import { Logger } from '@nestjs/common';
import type { Kysely } from 'kysely';
import { BatchedReads } from '#src/storage/batched-reads.js';
import { toContainer, type FleetTables } from './fleet.tables.js';
import type { Container } from './fleet.types.js';

/**
 * Containers kept in memory at most on SQLite (~160 B each, ~8 MB in all), where a read not kept
 * is an in-process statement: the ones planners and screens read again and again stay; past the
 * bound the oldest entry leaves.
 */
export const CONTAINER_CACHE_SIZE = 50_000;

/** Rows one page of the whole load reads (PostgreSQL): one short query, then the event loop runs. */
export const REGISTRY_PAGE_SIZE = 2_000;

/**
 * The containers' registry entries for the REST read of a container. On SQLite at most
 * {@link CONTAINER_CACHE_SIZE}, filled as they are read. On PostgreSQL every one, loaded in pages
 * once other nodes' changes are heard ({@link cacheWhile}): a read not kept there is a round trip
 * to another process, which on a busy machine waits for the server and the pool behind the
 * readings' writer and the state checkpoint (PERFORMANCE.md, "REST on PostgreSQL"); ~160 B a
 * container, 24 MB for 150,000.
 *
 * Every write of the containers table goes through {@link forget}: this node's own, and on
 * PostgreSQL the other nodes' as their announcements arrive (fleet-changes.service.ts). While
 * those cannot arrive (the listening session lost) nothing is kept and every read asks the store.
 * A read, or a page of the load, that began before a forget of its entry does not keep it.
 */
export class ContainerRegistry {
  private readonly logger = new Logger(ContainerRegistry.name);
  private readonly entries = new Map<string, Readonly<Container>>();
  private trusted = true;
  /** Bumped by every forget: a read that began before one does not keep what it read. */
  private generation = 0;
  /** Bumped when a load must stop: nothing may be kept any more, or a newer load replaces it. */
  private loadEpoch = 0;
  /** The ids forgotten since the page in flight of the load was asked (none in flight: undefined). */
  private forgottenDuringPage: Set<string> | undefined;
  private loading: Promise<void> = Promise.resolve();
  /** The entries not kept, read together while a read is in flight (storage/batched-reads.ts). */
  private readonly reads: BatchedReads<string, Readonly<Container>>;

  /**
   * `whole`: keep every entry, loaded in pages (PostgreSQL); otherwise the bounded cache.
   * `migrated`: resolves once the table exists (a load may be asked before).
   */
  constructor(
    private readonly db: Kysely<FleetTables>,
    private readonly whole: boolean,
    private readonly migrated: () => Promise<void>,
  ) {
    this.reads = new BatchedReads(async (ids) => {
      const rows = await this.db.selectFrom('containers').selectAll().where('id', 'in', ids).execute();
      return new Map(rows.map((row) => [row.id, Object.freeze(toContainer(row))]));
    });
  }

  /** The container's registry entry (shared and frozen: callers copy it to change it). */
  async find(id: string): Promise<Readonly<Container> | undefined> {
    const kept = this.entries.get(id);
    if (kept !== undefined) return kept;
    const generation = this.generation;
    const container = await this.reads.read(id);
    if (container === undefined) return undefined;
    if (this.trusted && generation === this.generation) {
      if (!this.whole && this.entries.size >= CONTAINER_CACHE_SIZE)
        this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(id, container);
    }
    return container;
  }

  /** Drops the entry of a container written (created, changed, deleted). */
  forget(id: string): void {
    this.generation++;
    this.entries.delete(id);
    this.forgottenDuringPage?.add(id);
  }

  /**
   * Drops the entries of containers written together (an import): one by one when they are at
   * most a page of the load, else every entry, loaded again (cheaper than reading them one by one).
   */
  forgetMany(ids: readonly string[]): void {
    if (ids.length > REGISTRY_PAGE_SIZE) this.forgetAll();
    else for (const id of ids) this.forget(id);
  }

  /** Drops every entry (after an import wrote many, or other nodes' changes were missed); loads them again. */
  forgetAll(): void {
    this.generation++;
    this.entries.clear();
    this.loadEpoch++;
    if (this.whole && this.trusted) this.load();
  }

  /** Keeps entries while `trusted` (PostgreSQL: while other nodes' changes are heard). */
  cacheWhile(trusted: boolean): void {
    this.trusted = trusted;
    this.forgetAll();
  }

  /** Stops a load in progress (shutdown: the pool is about to close) and keeps nothing more. */
  stop(): void {
    this.trusted = false;
    this.forgetAll();
  }

  /** Resolves when the load in progress (if any) has ended: loaded, replaced or stopped. */
  loaded(): Promise<void> {
    return this.loading;
  }

  private load(): void {
    const epoch = this.loadEpoch;
    const started = performance.now();
    const previous = this.loading;
    this.loading = previous
      .then(() => this.loadPages(epoch))
      .then(
        (pages) => {
          if (pages !== undefined)
            this.logger.log(
              `${this.entries.size} containers kept from ${pages} pages in ${Math.round(performance.now() - started)} ms`,
            );
        },
        // Reads not kept ask the store meanwhile; the next forgetAll (a lost session back) loads again.
        (error: unknown) => this.logger.warn(`container registry not loaded: ${String(error)}`),
      );
  }

  /**
   * Every entry, by id, a page at a time (keyset: each page one short indexed query, the event
   * loop free between them). Stops when a newer load or a loss of trust replaced it. Ends at the
   * last page: at most one page more than the table holds then.
   */
  private async loadPages(epoch: number): Promise<number | undefined> {
    await this.migrated();
    let after: string | undefined;
    for (let pages = 1; ; pages++) {
      if (epoch !== this.loadEpoch) return undefined;
      const forgotten = (this.forgottenDuringPage = new Set());
      let page = this.db.selectFrom('containers').selectAll().orderBy('id').limit(REGISTRY_PAGE_SIZE);
      if (after !== undefined) page = page.where('id', '>', after);
      const rows = await page.execute().finally(() => (this.forgottenDuringPage = undefined));
      if (epoch !== this.loadEpoch) return undefined;
      for (const row of rows)
        if (!forgotten.has(row.id) && !this.entries.has(row.id))
          this.entries.set(row.id, Object.freeze(toContainer(row)));
      if (rows.length < REGISTRY_PAGE_SIZE) return pages;
      after = rows[rows.length - 1].id;
    }
  }
}
