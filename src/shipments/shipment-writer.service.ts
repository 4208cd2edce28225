import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { setTimeout as delay } from 'node:timers/promises';
import { ActiveShipments } from '#src/fleet/active-shipments.service.js';
import { OperationalDatabase } from '#src/storage/operational-database.js';
import { StoreNotifications } from '#src/storage/store-notifications.js';
import { ShipmentsRepository } from './shipments.repository.js';
import { ACTIVE_STATUSES, type Shipment } from './shipment.types.js';

/** The channel on which a node tells the others sharing PostgreSQL that a shipment changed. */
const CHANNEL = 'convoi_shipments';

/** Attempts of a write-behind step (the store away for a moment), and the first pause between, ms. */
const ATTEMPTS = 5;
const FIRST_RETRY_MS = 100;

/**
 * The active shipments in memory, and the one ordered queue of every shipment write.
 *
 * Readings never wait on the store: the ingestion index ({@link ActiveShipments}) and the active
 * shipments' records ({@link activeRecord}) are memory, loaded at start. A transition the journey
 * concludes during a reading changes the memory at once and queues its write ({@link writeBehind});
 * REST writes queue theirs too and wait for them ({@link write}). One queue keeps the writes in
 * the order they were decided, so a planner's compare-and-set after a journey's transition sees it.
 *
 * On SQLite the queue empties within microtasks (its queries are synchronous), before the event
 * loop turns, as the journey state that concluded a transition is written. On PostgreSQL a write
 * is a round trip: a transition waiting for it is kept in the local file meanwhile
 * (`ShipmentTransitionOutbox`), so a crash does not lose it.
 *
 * After the last queued write of a shipment, its record is read back from the store into memory:
 * a write refused by the store (the planner moved it first, a unique violation) leaves memory as
 * the store has it. While another write of it is queued, that later one reads it back instead.
 *
 * Nodes sharing PostgreSQL each keep this memory: after a write the node announces the shipment
 * (`convoi_shipments`, StoreNotifications), and the others read it back the same way, so a
 * shipment created through an api node is on a processor's readings within milliseconds. A node
 * that was not listening for a while loads every active shipment again.
 */
@Injectable()
export class ShipmentWriter implements OnModuleInit {
  private readonly logger = new Logger('Shipments');
  private readonly records = new Map<string, Shipment>();
  /** Queued writes per shipment id, not yet finished. */
  private readonly queued = new Map<string, number>();
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly repository: ShipmentsRepository,
    private readonly active: ActiveShipments,
    store: OperationalDatabase,
    private readonly notifications: StoreNotifications,
  ) {
    store.flushBeforeClose(() => this.flush());
  }

  async onModuleInit(): Promise<void> {
    await this.notifications.subscribe(CHANNEL, {
      message: (payload) => {
        if (typeof payload.id === 'string') void this.readBack(payload.id);
      },
      missed: () =>
        void this.load().catch((err: unknown) => this.logger.error({ err }, 'Shipments not reloaded')),
    });
  }

  /** Loads every active shipment into memory (start). */
  async load(): Promise<void> {
    const all = await this.repository.active();
    this.records.clear();
    for (const s of all) this.records.set(s.id, s);
    this.active.replace(
      new Map(all.map((s) => [s.containerId, { shipmentId: s.id, profileId: s.profileId }])),
    );
  }

  /** The active shipment's record from memory (hot path); undefined once it ended. */
  activeRecord(id: string): Shipment | undefined {
    return this.records.get(id);
  }

  /** Queues a REST write and resolves with its result once stored (and memory follows it). */
  write<T>(id: string, op: () => Promise<T>): Promise<T> {
    this.queued.set(id, (this.queued.get(id) ?? 0) + 1);
    const step = this.tail.then(async () => {
      try {
        return await op();
      } finally {
        await this.settle(id);
      }
    });
    this.tail = step.catch(() => undefined);
    return step;
  }

  /**
   * Puts `next` in memory at once and queues `op` (a compare-and-set that returns false when the
   * store refused it). Never throws: a refused or failed write is logged, and memory goes back to
   * what the store holds.
   */
  writeBehind(next: Shipment, op: () => Promise<boolean>, what: string): void {
    this.remember(next.id, next);
    void this.write(next.id, async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          if (!(await op()))
            this.logger.warn({ shipmentId: next.id }, `${what} not stored: the shipment changed meanwhile`);
          return;
        } catch (err) {
          if (attempt === ATTEMPTS) {
            this.logger.error({ shipmentId: next.id, err }, `${what} not stored`);
            return;
          }
          await delay(FIRST_RETRY_MS * 4 ** (attempt - 1));
        }
      }
    });
  }

  /** Whether writes are queued and not finished. */
  get waiting(): boolean {
    return this.queued.size > 0;
  }

  /** Resolves once every write queued so far is finished. */
  async flush(): Promise<void> {
    let seen: Promise<unknown>;
    do {
      seen = this.tail;
      await seen;
    } while (seen !== this.tail);
  }

  /**
   * Shipment `id` is now `s` (undefined: deleted). Memory keeps it while active, and the containers
   * it was and is on follow it in the ingestion index.
   */
  private remember(id: string, s: Shipment | undefined): void {
    const before = this.records.get(id);
    const isActive = s !== undefined && ACTIVE_STATUSES.includes(s.status);
    if (isActive) this.records.set(id, s);
    else this.records.delete(id);
    const containers = new Set<string>();
    if (before) containers.add(before.containerId);
    if (s) containers.add(s.containerId);
    this.active.update(id, containers, (containerId) => {
      if (isActive && s.containerId === containerId) return { shipmentId: id, profileId: s.profileId };
      const current = this.active.get(containerId);
      return current?.shipmentId === id ? undefined : current;
    });
  }

  /** After a write of `id`: unless another is queued, memory takes the stored record. */
  private async settle(id: string): Promise<void> {
    const left = (this.queued.get(id) ?? 1) - 1;
    if (left > 0) {
      this.queued.set(id, left);
      return;
    }
    this.queued.delete(id);
    await this.readBack(id);
    if (!this.notifications.shared) return;
    try {
      await this.notifications.publish(CHANNEL, { id });
    } catch (err) {
      this.logger.warn({ shipmentId: id, err }, 'Shipment change not announced to the other nodes');
    }
  }

  /** Memory takes the stored record of `id`, unless a write of it is queued here (that one will). */
  private async readBack(id: string): Promise<void> {
    if (this.queued.has(id)) return;
    try {
      const stored = await this.repository.find(id);
      if (!this.queued.has(id)) this.remember(id, stored);
    } catch (err) {
      this.logger.error({ shipmentId: id, err }, 'Shipment not read back after a write');
    }
  }
}
