import { BeforeApplicationShutdown, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { Kysely } from 'kysely';
import { CompiledSqliteStatement } from '#src/storage/compiled-sqlite.statement.js';
import { OperationalDatabase } from '#src/storage/operational-database.js';
import { SqliteDatabase } from '#src/storage/sqlite-database.js';
import { JourneyEventOutbox } from './journey-event.outbox.js';
import { JOURNEY_EVENTS_MIGRATIONS, JOURNEY_EVENTS_SCOPE } from './journey-events.migrations.js';
import {
  insertEvents,
  JOURNEY_EVENT_COLUMNS,
  JourneyEventsTable,
  toRow,
  type JourneyEventRow,
  type JourneyEventsTables,
} from './journey-events.table.js';
import { JOURNEY_MIGRATIONS } from './journey.migrations.js';
import type { JourneyEvent } from './journey.types.js';

/** Longest an event waits before it is written, ms. */
const EVENTS_FLUSH_MS = 100;
/** Events one PostgreSQL INSERT takes. */
const PG_BATCH = 500;
/** Wait before a batch PostgreSQL did not take is tried again, ms. */
const PG_RETRY_MS = 1000;
/** Longest a read waits for this node's queued events, ms. */
const READ_WAIT_MS = 5000;
/** How long the shutdown waits for PostgreSQL; the rest stays in the outbox for the next start. */
const SHUTDOWN_WAIT_MS = 10_000;

/**
 * The journey event log in the operational store (scope `journey-events`; ARCHITECTURE.md §5).
 * Events are queued and written together within {@link EVENTS_FLUSH_MS} (a commit per event cost
 * 18 % of a core at 15,000 readings/s, since a fleet at rest produces stop events for every
 * container), and always before the container states they explain (`JourneyStateStore` flushes
 * first). On SQLite the flush stores them at once, synchronously. On PostgreSQL it keeps them in
 * the SQLite outbox at once and a writer stores them behind, in order, retried until PostgreSQL
 * takes them. Every read first waits for this node's queued events (up to 5 s). Journey states are the
 * container states' (`state/`); `journey_state`, where earlier versions kept them, is read once
 * there and emptied.
 */
@Injectable()
export class JourneyEventsRepository implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger(JourneyEventsRepository.name);
  private readonly db: Kysely<JourneyEventsTables>;
  private readonly table: JourneyEventsTable;
  private pending: JourneyEvent[] = [];
  private timer?: NodeJS.Timeout;
  /** SQLite: the insert, compiled once and run synchronously. */
  private writeNow?: CompiledSqliteStatement<JourneyEventRow>;
  /** PostgreSQL: the outbox; its rows through `storedThrough` are in PostgreSQL. */
  private outbox?: JourneyEventOutbox;
  private storedThrough = 0;
  private writing: Promise<void> | undefined;
  /** Called at the next {@link flush} ({@link storedAll}). */
  private flushWaiters: (() => void)[] = [];
  private stopping = false;

  constructor(
    private readonly store: OperationalDatabase,
    private readonly sqlite: SqliteDatabase,
  ) {
    this.db = store.db.withTables<JourneyEventsTables>();
    this.table = new JourneyEventsTable(this.db);
  }

  async onModuleInit(): Promise<void> {
    // Still on SQLite whatever the store: `journey_state` is there, for the state feature to import.
    this.sqlite.migrate('journeys', JOURNEY_MIGRATIONS);
    await this.store.migrate(JOURNEY_EVENTS_SCOPE, JOURNEY_EVENTS_MIGRATIONS);
    if (this.store.dialect === 'sqlite') {
      this.writeNow = new CompiledSqliteStatement(this.sqlite.connection, JOURNEY_EVENT_COLUMNS, (row) =>
        insertEvents(this.db, [row]),
      );
      return;
    }
    this.outbox = new JourneyEventOutbox(this.sqlite);
    if (this.outbox.lastId() > 0) {
      this.logger.log('Storing the journey events a previous run left in the outbox');
      this.startWriting();
    }
    this.store.flushBeforeClose(() => this.storedBeforeClose());
  }

  /** Queues an event; see the class comment for when it is written. */
  insert(e: JourneyEvent): void {
    this.pending.push(e);
    this.timer ??= setTimeout(() => this.flush(), EVENTS_FLUSH_MS);
  }

  /** Makes the queued events durable now: stored (SQLite) or in the outbox (PostgreSQL). */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    // After the rows are in the outbox and being written (a closed file: nothing more will be).
    for (const flushed of this.flushWaiters.splice(0)) queueMicrotask(flushed);
    if (this.pending.length === 0 || !this.sqlite.connection.open) return;
    const rows = this.pending.map(toRow);
    this.pending = [];
    if (this.outbox === undefined) {
      const write = this.writeNow;
      if (write === undefined) throw new Error('journey events written before the store was migrated');
      this.sqlite.connection.transaction(() => {
        for (const row of rows) write.run(row);
      })();
      return;
    }
    this.outbox.add(rows);
    this.startWriting();
  }

  beforeApplicationShutdown(): void {
    this.flush();
  }

  /** A container's events in [from, to), oldest first, at most `limit`. */
  async byContainer(containerId: string, from: number, to: number, limit: number): Promise<JourneyEvent[]> {
    await this.stored();
    return this.table.byContainer(containerId, from, to, limit);
  }

  /** A shipment's events, oldest first. */
  async byShipment(shipmentId: string, limit: number): Promise<JourneyEvent[]> {
    await this.stored();
    return this.table.byShipment(shipmentId, limit);
  }

  /** Geofence crossings of every container in [from, to), by container then time. */
  async crossings(from: number, to: number, limit: number): Promise<JourneyEvent[]> {
    await this.stored();
    return this.table.crossings(from, to, limit);
  }

  /**
   * Resolves once every event queued so far is in the store, however long PostgreSQL takes: a
   * partition's checkpoint waits for this (ARCHITECTURE.md §9), so that no state it writes
   * explains an event only this node's outbox holds.
   */
  async storedAll(): Promise<void> {
    // The queue's own flush, within 100 ms: forced here, every significant fix would cost an
    // outbox transaction and an INSERT of its own.
    if (this.pending.length > 0) await new Promise<void>((resolve) => this.flushWaiters.push(resolve));
    while (this.writing !== undefined) await this.writing;
  }

  /** Whether events queued are not stored yet (PostgreSQL behind; on SQLite until the flush). */
  get waiting(): boolean {
    return this.pending.length > 0 || this.writing !== undefined;
  }

  get open(): boolean {
    return this.sqlite.connection.open;
  }

  /**
   * Resolves once every event queued so far is stored, or after `waitMs` at most: a read goes on
   * without the events PostgreSQL has not taken yet rather than hang while it is away.
   */
  private async stored(waitMs = READ_WAIT_MS): Promise<void> {
    this.flush();
    if (this.writing === undefined) return;
    let timeout: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => (timeout = setTimeout(resolve, waitMs)));
    await Promise.race([this.writing, late]);
    clearTimeout(timeout);
  }

  /** Shutdown: waits for PostgreSQL a while; what it has not taken stays in the outbox. */
  private async storedBeforeClose(): Promise<void> {
    await this.stored(SHUTDOWN_WAIT_MS);
    this.stopping = true;
    if (this.writing !== undefined) this.logger.warn('Journey events left in the outbox for the next start');
  }

  private startWriting(): void {
    this.writing ??= this.writeBehind().finally(() => (this.writing = undefined));
  }

  /** Stores the outbox's rows in PostgreSQL, in order, a page at a time, until none is left. */
  private async writeBehind(): Promise<void> {
    const outbox = this.outbox;
    if (outbox === undefined) return;
    for (;;) {
      const page = outbox.after(this.storedThrough, PG_BATCH);
      if (page.length === 0) return;
      const rows = page.map((p) => p.row);
      const last = page[page.length - 1].id;
      try {
        // A retried page, or one an earlier run left, may be in PostgreSQL already: skipped there.
        await insertEvents(this.db, rows).execute();
      } catch (error) {
        this.logger.warn(`Journey events not stored in PostgreSQL, retrying: ${(error as Error).message}`);
        if (this.stopping) return;
        await new Promise((resolve) => setTimeout(resolve, PG_RETRY_MS));
        continue;
      }
      this.storedThrough = last;
      outbox.doneThrough(last);
    }
  }
}
