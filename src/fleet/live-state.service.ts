import { BeforeApplicationShutdown, Injectable, OnModuleInit } from '@nestjs/common';
import { MEASUREMENT_KEYS, type Reading } from '#src/contracts/reading.js';
import { backgroundPause } from '#src/common/background-pause.js';
import { Clock } from '#src/common/clock.js';
import { SqliteDatabase } from '#src/storage/sqlite-database.js';
import { StateCheckpoint } from '#src/storage/state-checkpoint.js';
import type { ContainerLastSeen, ContainerLiveState } from './fleet.types.js';
import { KEYS, PAGE_SLOTS, STRIDE, sameLayout, stateAt, statesOf } from './live-state.layout.js';
import { LiveStatePageTable, type StoredPage } from './live-state.pages.js';

/** Synchronous work of one write-behind transaction, ms: what ingestion and REST wait behind it. */
const PERSIST_SLICE_MS = 4;

/**
 * Each container's live state, in memory for the hot path and the REST read model, written
 * behind to SQLite a page at a time (at each state checkpoint, {@link StateCheckpoint}, and at
 * shutdown) so a restart starts from it; what a crash loses of it is replayed from the inbox. A
 * changed page of 1,024 states is written whole: at 15,000 readings/s from 150,000 containers a
 * checkpoint writes ~150 pages (~60 ms of the main thread, in slices).
 * "Latest" is per measurement the newest measuredAt, never the last received: a late frame
 * fills in nothing newer than what is known (ARCHITECTURE.md §4).
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
  /** Pages changed since written, each once (flagged in `pageDirty`), in change order. */
  private dirtyPages: number[] = [];
  private readonly pageDirty: boolean[] = [];
  private persisting = false;
  private table?: LiveStatePageTable;

  constructor(
    private readonly sqlite: SqliteDatabase,
    private readonly clock: Clock,
    private readonly checkpoint: StateCheckpoint,
  ) {}

  onModuleInit(): void {
    const table = new LiveStatePageTable(this.sqlite.connection);
    const known = table.containerIds();
    const pages = [...table.pages()];
    const current = pages.every(sameLayout);
    if (current) for (const stored of pages) this.restorePage(stored, known);
    // Written by a version with other measurements, or one JSON row per container: kept, in slots
    // of this version's layout, and stored again as such pages at once.
    const legacy = [...(current ? [] : pages.flatMap(statesOf)), ...table.legacyStates()];
    if (legacy.length > 0) {
      for (const state of legacy)
        if (known.has(state.containerId) && !this.slots.has(state.containerId)) this.restore(state);
      table.transaction(() => {
        table.dropLegacyStates(current);
        this.writeDirtyPages(table);
      });
    }
    this.table = table;
    this.checkpoint.register({ writeBehind: () => this.persistInSlices() });
  }

  get(containerId: string): ContainerLiveState | undefined {
    const slot = this.slots.get(containerId);
    return slot === undefined ? undefined : this.materialise(slot);
  }

  /** Drops a deleted container's state (the next write of its page leaves it out). */
  forget(containerId: string): void {
    const slot = this.slots.get(containerId);
    if (slot === undefined) return;
    this.slots.delete(containerId);
    this.containerIds[slot] = undefined;
    this.shipmentIds[slot] = undefined;
    this.present[slot >> 10][slot & 1023] = 0;
    // The next write of its page drops it (a restart before then drops it too: no such container).
    this.markDirty(slot);
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

  /** Writes every changed page now, in one transaction (shutdown; tests). */
  persist(): void {
    const table = this.table;
    if (table === undefined || this.dirtyPages.length === 0 || !this.sqlite.connection.open) return;
    table.transaction(() => this.writeDirtyPages(table));
  }

  /**
   * The checkpoint's write-behind: the pages changed since the last one, in transactions of about
   * {@link PERSIST_SLICE_MS} ms each, background pauses in between, so that ingestion and REST
   * never wait long behind it.
   */
  private async persistInSlices(): Promise<void> {
    const table = this.table;
    if (this.persisting || table === undefined) return;
    this.persisting = true;
    try {
      // Pages changed again during the pauses wait for the next tick, so a tick always ends.
      let budget = this.dirtyPages.length;
      while (budget > 0 && this.dirtyPages.length > 0 && this.sqlite.connection.open) {
        const started = performance.now();
        const deadline = started + PERSIST_SLICE_MS;
        table.transaction(() => (budget -= this.writeDirtyPages(table, budget, deadline)));
        if (budget > 0) await backgroundPause(performance.now() - started);
      }
    } finally {
      this.persisting = false;
    }
  }

  /**
   * Writes the oldest changed pages, one at a time (what shutdown finds not yet taken is still
   * there for it), until `most` are written or `deadline` (performance.now()) has passed.
   */
  private writeDirtyPages(table: LiveStatePageTable, most = Infinity, deadline = Infinity): number {
    const now = this.clock.now();
    let written = 0;
    while (written < most && this.dirtyPages.length > 0 && performance.now() < deadline) {
      const page = this.dirtyPages.shift()!;
      this.pageDirty[page] = false;
      this.writePage(table, page, now);
      written++;
    }
    return written;
  }

  private writePage(table: LiveStatePageTable, page: number, now: number): void {
    const first = page * PAGE_SLOTS;
    const end = first + PAGE_SLOTS;
    table.write(
      page,
      this.numbers[page],
      this.present[page],
      {
        keys: MEASUREMENT_KEYS,
        // Free slots are null (JSON has no undefined in arrays).
        containers: this.containerIds.slice(first, end).map((id) => id ?? null),
        devices: this.deviceIds.slice(first, end),
        shipments: this.shipmentIds.slice(first, end).map((id) => id ?? null),
      },
      now,
    );
  }

  /** Puts a stored page back in its place: same slots, so its row is rewritten, never duplicated. */
  private restorePage(stored: StoredPage, known: ReadonlySet<string>): void {
    const page = stored.page; // pages come in order: this one is next, after any never written
    while (this.numbers.length < page) this.addFreePage();
    this.addPage();
    this.numbers[page] = stored.numbers;
    this.present[page] = stored.present;
    for (let i = 0; i < PAGE_SLOTS; i++) {
      const slot = page * PAGE_SLOTS + i;
      const id = stored.ids.containers[i] ?? undefined;
      if (id !== undefined && known.has(id)) {
        this.containerIds[slot] = id;
        this.deviceIds[slot] = stored.ids.devices[i] ?? '';
        this.shipmentIds[slot] = stored.ids.shipments[i] ?? undefined;
        this.slots.set(id, slot);
      } else {
        if (id !== undefined) this.markDirty(slot); // a container deleted before its page was written
        this.present[page][i] = 0;
        this.free.push(slot);
      }
    }
  }

  /** Appends an empty page whose slots are all free, taken in order by {@link allocate}. */
  private addFreePage(): void {
    const first = this.numbers.length * PAGE_SLOTS;
    this.addPage();
    for (let slot = first + PAGE_SLOTS - 1; slot >= first; slot--) this.free.push(slot);
  }

  private addPage(): void {
    const first = this.numbers.length * PAGE_SLOTS;
    this.numbers.push(new Float64Array(PAGE_SLOTS * STRIDE));
    this.present.push(new Uint8Array(PAGE_SLOTS));
    for (let slot = first; slot < first + PAGE_SLOTS; slot++) {
      this.containerIds.push(undefined);
      this.deviceIds.push('');
      this.shipmentIds.push(undefined);
    }
  }

  beforeApplicationShutdown(): void {
    this.persist();
  }

  private materialise(slot: number): ContainerLiveState {
    return stateAt(
      MEASUREMENT_KEYS,
      this.numbers[slot >> 10],
      slot & 1023,
      this.present[slot >> 10][slot & 1023],
      this.containerIds[slot]!,
      this.deviceIds[slot],
      this.shipmentIds[slot],
    );
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
    this.markDirty(slot);
  }

  private allocate(containerId: string): number {
    if (this.free.length === 0) this.addFreePage();
    const slot = this.free.pop()!;
    this.containerIds[slot] = containerId;
    this.deviceIds[slot] = '';
    this.shipmentIds[slot] = undefined;
    this.slots.set(containerId, slot);
    return slot;
  }

  private markDirty(slot: number): void {
    const page = slot >> 10;
    if (this.pageDirty[page] === true) return;
    this.pageDirty[page] = true;
    this.dirtyPages.push(page);
  }
}
