import { BeforeApplicationShutdown, Injectable, OnModuleInit } from '@nestjs/common';
import type { Statement } from 'better-sqlite3';
import { MEASUREMENT_KEYS, type Reading } from '#src/contracts/reading.js';
import { backgroundPause } from '#src/common/background-pause.js';
import { Clock } from '#src/common/clock.js';
import { SqliteDatabase } from '#src/storage/sqlite-database.js';
import type { ContainerLastSeen, ContainerLiveState, LatestValue } from './fleet.types.js';

/**
 * How often changed live states are written to SQLite. The write-behind only spares a restart
 * after a crash from starting with older values (a clean stop writes everything, and the next
 * reading of each container corrects it anyway); every write is one upsert per changed
 * container, so its cost is the fleet's reporting rate capped by fleet / interval. At 15,000
 * readings/s from 150,000 containers, every second was one upsert per reading (a sixth of the
 * main thread); every 30 s it is a third of that.
 */
const PERSIST_EVERY_MS = 30_000;

/** Most states written per tick (in slices, see {@link PERSIST_SLICE_MS}; shutdown writes all). */
const PERSIST_MAX_PER_TICK = 200_000;

/** Synchronous work of one write-behind transaction, ms: what ingestion and REST wait behind it. */
const PERSIST_SLICE_MS = 4;

/** Slots per page: storage grows a page at a time, so it never holds more than one page unused. */
const PAGE_SLOTS = 1024; // slot >> 10 is its page, slot & 1023 its place in it
const KEYS = MEASUREMENT_KEYS.length;
const DOOR = MEASUREMENT_KEYS.indexOf('doorOpen');
/** Per slot: lastMeasuredAt, lastReceivedAt, then per measurement its value and measuredAt. */
const STRIDE = 2 + 2 * KEYS;

/**
 * Each container's live state, in memory for the hot path and the REST read model, written
 * behind to SQLite (every {@link PERSIST_EVERY_MS} ms and at shutdown) so a restart starts from it.
 * "Latest" is per measurement the newest measuredAt, never the last received: a late frame
 * fills in nothing newer than what is known (DESIGN.md §4).
 *
 * Memory (issue 11, 150,000 containers): a state is a slot of numbers in paged Float64Arrays plus
 * a bit per measurement present, and the container, device and shipment ids as the same string
 * instances the reading carried; a {@link ContainerLiveState} object is built only when read.
 */
@Injectable()
export class LiveStateService implements OnModuleInit, BeforeApplicationShutdown {
  private readonly slots = new Map<string, number>();
  private readonly containerIds: (string | undefined)[] = [];
  private readonly deviceIds: string[] = [];
  private readonly shipmentIds: (string | undefined)[] = [];
  private readonly numbers: Float64Array[] = [];
  /** Bit k set: measurement k has a value. */
  private readonly present: Uint8Array[] = [];
  private readonly free: number[] = [];
  /** Slots changed since written, each once (flagged in `dirtyFlags`), in change order. */
  private dirty: number[] = [];
  private readonly dirtyFlags: Uint8Array[] = [];
  private timer?: NodeJS.Timeout;
  private persisting = false;
  private upsert?: Statement<[string, string, number]>;

  constructor(
    private readonly sqlite: SqliteDatabase,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    const rows = this.sqlite.connection
      .prepare<[], { state: string }>('SELECT state FROM container_state')
      .all();
    for (const row of rows) this.restore(JSON.parse(row.state) as ContainerLiveState);
    this.upsert = this.sqlite.connection.prepare(
      `INSERT INTO container_state (container_id, state, updated_at) VALUES (?, ?, ?)
       ON CONFLICT(container_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`,
    );
    this.timer = setInterval(() => void this.persistInSlices(), PERSIST_EVERY_MS);
    this.timer.unref();
  }

  get(containerId: string): ContainerLiveState | undefined {
    const slot = this.slots.get(containerId);
    return slot === undefined ? undefined : this.materialise(slot);
  }

  /** Drops a deleted container's state (its row is deleted with the container). */
  forget(containerId: string): void {
    const slot = this.slots.get(containerId);
    if (slot === undefined) return;
    this.slots.delete(containerId);
    this.containerIds[slot] = undefined;
    this.shipmentIds[slot] = undefined;
    this.present[slot >> 10][slot & 1023] = 0;
    // A pending write of the slot is skipped by persist (no container), and the slot reused.
    this.free.push(slot);
  }

  /** Every live state (for fleet-wide timers such as offline rules); each built when reached. */
  /**
   * Every container with a live state, only when each key was last seen: the offline tick walks
   * the whole fleet every RULES_TICK_MS, and building each full state (an object per value) made
   * that walk cost ~0.5 s of the main thread at 150,000 containers.
   */
  *lastSeenAll(): IterableIterator<ContainerLastSeen> {
    for (const slot of this.slots.values()) {
      const page = this.numbers[slot >> 10];
      const base = (slot & 1023) * STRIDE;
      const mask = this.present[slot >> 10][slot & 1023];
      const lastSeen: ContainerLastSeen['lastSeen'] = {};
      for (let k = 0; k < KEYS; k++)
        if ((mask & (1 << k)) !== 0) lastSeen[MEASUREMENT_KEYS[k]] = page[base + 3 + 2 * k];
      yield {
        containerId: this.containerIds[slot]!,
        shipmentId: this.shipmentIds[slot],
        lastDeviceId: this.deviceIds[slot],
        lastSeen,
      };
    }
  }

  /** Number of containers with a live state. */
  size(): number {
    return this.slots.size;
  }

  apply(reading: Reading): void {
    const at = reading.measuredAt;
    let slot = this.slots.get(reading.containerId);
    let page: Float64Array;
    let base: number;
    if (slot === undefined) {
      slot = this.allocate(reading.containerId);
      page = this.numbers[slot >> 10];
      base = (slot & 1023) * STRIDE;
      page[base] = at;
      page[base + 1] = reading.receivedAt;
      this.deviceIds[slot] = reading.deviceId;
    } else {
      page = this.numbers[slot >> 10];
      base = (slot & 1023) * STRIDE;
      if (at > page[base]) {
        page[base] = at;
        page[base + 1] = reading.receivedAt;
        this.deviceIds[slot] = reading.deviceId;
      }
    }
    if (at >= page[base]) this.shipmentIds[slot] = reading.shipmentId;
    const present = this.present[slot >> 10];
    let mask = present[slot & 1023];
    for (let k = 0; k < KEYS; k++) {
      const value = reading[MEASUREMENT_KEYS[k]];
      if (value === undefined) continue;
      const bit = 1 << k;
      const i = base + 2 + 2 * k;
      if ((mask & bit) === 0 || at >= page[i + 1]) {
        page[i] = typeof value === 'boolean' ? (value ? 1 : 0) : value;
        page[i + 1] = at;
        mask |= bit;
      }
    }
    present[slot & 1023] = mask;
    this.markDirty(slot);
  }

  /** Writes every changed state now, in one transaction (shutdown; tests). */
  persist(): void {
    if (this.dirty.length === 0 || this.upsert === undefined || !this.sqlite.connection.open) return;
    const batch = this.dirty;
    this.dirty = [];
    const upsert = this.upsert;
    const now = this.clock.now();
    this.sqlite.connection.transaction(() => {
      for (const slot of batch) this.writeOne(upsert, slot, now);
    })();
  }

  /**
   * The periodic write-behind: the changed states of this tick (at most
   * {@link PERSIST_MAX_PER_TICK}) in transactions of about {@link PERSIST_SLICE_MS} ms each, background
   * pauses in between. At 15,000 readings/s a tick changes ~15,000 containers: written in
   * one transaction that held ingestion and REST for well over 100 ms every second.
   */
  private async persistInSlices(): Promise<void> {
    if (this.persisting || this.upsert === undefined) return;
    this.persisting = true;
    try {
      let budget = Math.min(this.dirty.length, PERSIST_MAX_PER_TICK);
      while (budget > 0 && this.sqlite.connection.open) {
        const started = performance.now();
        budget -= this.writeSlice(budget);
        if (budget > 0) await backgroundPause(performance.now() - started);
      }
    } finally {
      this.persisting = false;
    }
  }

  /** Writes the oldest changed states for about {@link PERSIST_SLICE_MS} ms; returns how many. */
  private writeSlice(most: number): number {
    const upsert = this.upsert!;
    const now = this.clock.now();
    const started = performance.now();
    let n = 0;
    this.sqlite.connection.transaction(() => {
      while (n < most && n < this.dirty.length) {
        this.writeOne(upsert, this.dirty[n], now);
        n++;
        if ((n & 63) === 0 && performance.now() - started > PERSIST_SLICE_MS) break;
      }
    })();
    this.dirty = this.dirty.slice(n);
    return n;
  }

  private writeOne(upsert: Statement<[string, string, number]>, slot: number, now: number): void {
    this.dirtyFlags[slot >> 10][slot & 1023] = 0;
    const containerId = this.containerIds[slot];
    if (containerId !== undefined) upsert.run(containerId, JSON.stringify(this.materialise(slot)), now);
  }

  beforeApplicationShutdown(): void {
    clearInterval(this.timer);
    this.persist();
  }

  private materialise(slot: number): ContainerLiveState {
    const page = this.numbers[slot >> 10];
    const base = (slot & 1023) * STRIDE;
    const mask = this.present[slot >> 10][slot & 1023];
    const values: ContainerLiveState['values'] = {};
    for (let k = 0; k < KEYS; k++) {
      if ((mask & (1 << k)) === 0) continue;
      const i = base + 2 + 2 * k;
      const latest: LatestValue = { value: k === DOOR ? page[i] === 1 : page[i], measuredAt: page[i + 1] };
      values[MEASUREMENT_KEYS[k]] = latest;
    }
    const state: ContainerLiveState = {
      containerId: this.containerIds[slot]!,
      lastMeasuredAt: page[base],
      lastReceivedAt: page[base + 1],
      lastDeviceId: this.deviceIds[slot],
      values,
    };
    const shipmentId = this.shipmentIds[slot];
    if (shipmentId !== undefined) state.shipmentId = shipmentId;
    return state;
  }

  private restore(state: ContainerLiveState): void {
    const slot = this.allocate(state.containerId);
    const page = this.numbers[slot >> 10];
    const base = (slot & 1023) * STRIDE;
    page[base] = state.lastMeasuredAt;
    page[base + 1] = state.lastReceivedAt;
    this.deviceIds[slot] = state.lastDeviceId;
    this.shipmentIds[slot] = state.shipmentId;
    let mask = 0;
    for (let k = 0; k < KEYS; k++) {
      const latest = state.values[MEASUREMENT_KEYS[k]];
      if (latest === undefined) continue;
      const i = base + 2 + 2 * k;
      page[i] = typeof latest.value === 'boolean' ? (latest.value ? 1 : 0) : latest.value;
      page[i + 1] = latest.measuredAt;
      mask |= 1 << k;
    }
    this.present[slot >> 10][slot & 1023] = mask;
  }

  private allocate(containerId: string): number {
    let slot = this.free.pop();
    if (slot === undefined) {
      slot = this.containerIds.length;
      if ((slot & 1023) === 0) {
        this.numbers.push(new Float64Array(PAGE_SLOTS * STRIDE));
        this.present.push(new Uint8Array(PAGE_SLOTS));
        this.dirtyFlags.push(new Uint8Array(PAGE_SLOTS));
      }
      this.containerIds.push(containerId);
      this.deviceIds.push('');
      this.shipmentIds.push(undefined);
    } else {
      this.containerIds[slot] = containerId;
    }
    this.slots.set(containerId, slot);
    return slot;
  }

  private markDirty(slot: number): void {
    const flags = this.dirtyFlags[slot >> 10];
    if (flags[slot & 1023] === 1) return;
    flags[slot & 1023] = 1;
    this.dirty.push(slot);
  }
}
