import { BeforeApplicationShutdown, Logger } from '@nestjs/common';
import { partitionOf } from '#src/contracts/partition.js';
import { MEASUREMENT_KEYS } from '#src/contracts/reading.js';
import { backgroundPause } from '#src/common/background-pause.js';
import type { Clock } from '#src/common/clock.js';
import { ContainerState, Slot, type JourneyCodec } from './container-state.js';
import { ContainerStates } from './container-states.port.js';
import type { Loader } from './container-states.restore.js';
import type { RuleState } from './rule-state.js';
import { packedIsQuiet, unpackRuleState, type PackedRuleState } from './rule-state.packing.js';
import { StatePages } from './state-pages.js';
import type { StateStore } from './state-store.js';
import { PAGE_SHIFT, WINDOW_EVERY_CHECKPOINTS } from './state.layout.js';
import type { StateOptions } from './state.options.js';

/** Synchronous work of one write-behind transaction, ms: what ingestion and REST wait behind it. */
const SLICE_MS = 4;

/**
 * {@link ContainerStates} in memory, written behind to a {@link StateStore} (ARCHITECTURE.md §5):
 * the numbers a page of 128 containers at a time (`state_pages`), rule and journey states a row
 * per container (`container_states`), both with the partition, pages and rows of one slice in one
 * transaction. Behind the readings, rule states are written only when one is not quiet (an
 * excursion under way, time counted), and once when they all turn quiet: every rule idle, the
 * common case, costs no write. What a replay must not do twice is written at once
 * ({@link writeNow}, {@link writeSoon}). The adapters (SQLite, PostgreSQL) open the store and
 * restore what it holds.
 */
export abstract class WriteBehindContainerStates
  extends ContainerStates
  implements BeforeApplicationShutdown, Loader
{
  private readonly logger = new Logger(ContainerStates.name);
  readonly pages = new StatePages();
  readonly partitions: number;
  protected readonly ownedAtStart?: readonly number[];
  readonly byId = new Map<string, ContainerState>();
  /** The state handed out last: the stages of one reading ask for the same container in a row. */
  private last?: ContainerState;
  /** Partitions with states in memory (restored, or given a page): {@link restore} leaves them. */
  readonly held = new Set<number>();
  private readonly dirtyRows = new Set<ContainerState>();
  /** States whose stored rule states are not all quiet: they must be written when they turn quiet. */
  private readonly busyRules = new Set<ContainerState>();
  private readonly soon = new Set<ContainerState>();
  private readonly hooks: (() => void)[] = [];
  private journeyCodec: JourneyCodec = () => {
    throw new Error('no journey codec: the journeys feature registers it');
  };
  private persisting = false;
  private checkpoints = 0;
  /** The transactions started by a synchronous caller and not settled yet (PostgreSQL). */
  private readonly unsettled = new Set<Promise<void>>();
  /** Where the states are written: set by the adapter as it opens. */
  protected abstract readonly store: StateStore;

  constructor(
    protected readonly clock: Clock,
    options: StateOptions,
  ) {
    super();
    this.partitions = options.partitions;
    this.ownedAtStart = options.ownedAtStart;
  }

  partitionOf(containerId: string): number {
    return partitionOf(containerId, this.partitions);
  }

  get(containerId: string): ContainerState | undefined {
    const last = this.last;
    if (last !== undefined && last.containerId === containerId) return last;
    const state = this.byId.get(containerId);
    if (state !== undefined) this.last = state;
    return state;
  }

  obtain(containerId: string): ContainerState {
    const last = this.last;
    if (last !== undefined && last.containerId === containerId) return last;
    let state = this.byId.get(containerId);
    if (state === undefined) {
      const partition = this.partitionOf(containerId);
      state = new ContainerState(containerId, partition, this.pages.allocate(partition, containerId));
      this.held.add(partition);
      this.byId.set(containerId, state);
    }
    this.last = state;
    return state;
  }

  override obtainKept(containerId: string, kept: ContainerState | undefined): ContainerState {
    if (kept === undefined || kept.forgotten || kept.containerId !== containerId)
      return this.obtain(containerId);
    this.last = kept;
    return kept;
  }

  all(): IterableIterator<ContainerState> {
    return this.byId.values();
  }

  size(): number {
    return this.byId.size;
  }

  changed(state: ContainerState, slot: Slot): void {
    if (slot === Slot.Numbers) {
      this.pages.markDirty(state.slot);
      return;
    }
    state.dirty |= slot;
    this.dirtyRows.add(state);
  }

  writeNow(state: ContainerState, slot: Slot): void {
    state.dirty |= slot;
    if (!this.store.open) {
      this.dirtyRows.add(state);
      return;
    }
    const now = this.clock.now();
    this.settle(this.store.transaction(() => this.writeRow(state, true, now)));
  }

  writeSoon(state: ContainerState, slot: Slot): void {
    state.dirty |= slot;
    if (this.soon.size === 0) queueMicrotask(() => this.writeSoonNow());
    this.soon.add(state);
  }

  forget(containerId: string): void {
    const state = this.byId.get(containerId);
    if (state === undefined) return;
    this.byId.delete(containerId);
    state.forgotten = true;
    if (this.last === state) this.last = undefined;
    this.pages.release(state.slot);
    this.dirtyRows.delete(state);
    this.busyRules.delete(state);
    this.soon.delete(state);
    if (this.store.open) this.store.forget(containerId);
  }

  release(partitions: readonly number[]): void {
    const gone = new Set(partitions.filter((p) => this.held.has(p)));
    if (gone.size === 0) return;
    for (const [id, state] of this.byId) {
      if (!gone.has(state.partition)) continue;
      this.byId.delete(id);
      // A stage that kept it (the pipeline's binding) looks it up again, in a state restored anew.
      state.forgotten = true;
      if (this.last === state) this.last = undefined;
      this.dirtyRows.delete(state);
      this.busyRules.delete(state);
      this.soon.delete(state);
    }
    this.pages.retire(gone);
    this.store.dropWaiting(gone);
    for (const p of gone) this.held.delete(p);
  }

  useJourneyCodec(codec: JourneyCodec): void {
    this.journeyCodec = codec;
  }

  beforeWrite(hook: () => void): void {
    this.hooks.push(hook);
  }

  /**
   * The pages and rows changed since the last checkpoint (and every
   * {@link WINDOW_EVERY_CHECKPOINTS}-th time the dedupe windows), in transactions of about
   * {@link SLICE_MS} ms each, background pauses in between, so that ingestion and REST never wait
   * long behind it. What changes again during the pauses waits for the next checkpoint.
   */
  async writeBehind(): Promise<void> {
    if (this.persisting) return;
    this.persisting = true;
    try {
      const dirty = this.pages;
      let pages = dirty.dirtyPages.length;
      let rows = this.dirtyRows.size;
      let windows = ++this.checkpoints % WINDOW_EVERY_CHECKPOINTS === 0 ? dirty.dirtyWindows.length : 0;
      const more = () =>
        (pages > 0 && dirty.dirtyPages.length > 0) ||
        (rows > 0 && this.dirtyRows.size > 0) ||
        (windows > 0 && dirty.dirtyWindows.length > 0);
      while (more() && this.store.open) {
        const started = performance.now();
        const deadline = started + SLICE_MS;
        const now = this.clock.now();
        const stored = this.transaction(() => {
          while (pages > 0 && performance.now() < deadline && this.writeDirtyPage(now)) pages--;
          for (const state of this.dirtyRows) {
            if (rows <= 0 || performance.now() >= deadline) break;
            this.dirtyRows.delete(state);
            this.writeRow(state, false, now);
            rows--;
          }
          if (pages > 0 && dirty.dirtyPages.length > 0) return; // windows go into rows written first
          while (windows > 0 && performance.now() < deadline && this.writeDirtyWindow()) windows--;
        });
        const sliceMs = performance.now() - started;
        // PostgreSQL: the next slice waits for this one's commit (a failure fails the checkpoint).
        await stored;
        if (more()) await backgroundPause(sliceMs);
      }
      await this.settled();
      // What a failed write left with the store (PostgreSQL away) is stored before the
      // checkpoint's position, which vouches for it, or the checkpoint fails.
      if (this.store.waiting > 0) {
        if (!this.store.open) throw new Error('container state writes not stored: the store is closed');
        await this.store.transaction(() => undefined);
      }
    } finally {
      this.persisting = false;
    }
  }

  flush(): void {
    if (!this.store.open) return;
    const now = this.clock.now();
    this.settle(
      this.transaction(() => {
        while (this.writeDirtyPage(now));
        for (let n = this.pages.dirtyWindows.length; n > 0 && this.writeDirtyWindow(); n--);
        for (const state of [...this.dirtyRows, ...this.soon]) this.writeRow(state, true, now);
        this.dirtyRows.clear();
        this.soon.clear();
      }),
    );
  }

  /** Writes everything, and waits for the store to have it (PostgreSQL: its commit). */
  async beforeApplicationShutdown(): Promise<void> {
    this.flush();
    await this.settled();
  }

  /** Restores the rules of a stored row (`{ ruleId: state }`) into the state. */
  putRules(state: ContainerState, entries: (string | PackedRuleState)[]): void {
    state.rules = entries;
    if (!entries.every((e, i) => i % 2 === 0 || packedIsQuiet(e as PackedRuleState)))
      this.busyRules.add(state);
  }

  transaction(work: () => void): void | Promise<void> {
    return this.store.transaction(() => {
      for (const hook of this.hooks) hook();
      work();
    });
  }

  /**
   * Waits for the transactions synchronous callers started (PostgreSQL). A failed one is not
   * thrown here: its writes stay with the store, which sends them again with the next.
   */
  protected async settled(): Promise<void> {
    while (this.unsettled.size > 0) await Promise.allSettled([...this.unsettled]);
  }

  /** Keeps a transaction a synchronous caller started until it settles; logs its failure. */
  private settle(stored: void | Promise<void>): void {
    if (stored === undefined) return;
    const tracked = stored
      .catch((err: unknown) =>
        this.logger.warn({ err }, 'Container state write failed: kept for the next checkpoint'),
      )
      .finally(() => this.unsettled.delete(tracked));
    this.unsettled.add(tracked);
  }

  private writeSoonNow(): void {
    const states = [...this.soon];
    this.soon.clear();
    if (!this.store.open) {
      for (const state of states) this.dirtyRows.add(state);
      return;
    }
    const now = this.clock.now();
    this.settle(
      this.transaction(() => {
        for (const state of states) this.writeRow(state, true, now);
      }),
    );
  }

  /** Writes the oldest changed page; false when there is none. */
  private writeDirtyPage(now: number): boolean {
    const page = this.pages.takeDirtyPage();
    if (page === undefined) return false;
    const p = this.pages;
    this.store.writePage(
      p.pagePartition[page],
      p.pageOrdinal[page],
      p.numbers[page],
      p.present[page],
      p.idsOf(page, MEASUREMENT_KEYS),
      now,
    );
    return true;
  }

  /** Writes the windows of the oldest page whose windows changed; false when there is none. */
  private writeDirtyWindow(): boolean {
    const page = this.pages.takeDirtyWindow();
    if (page === undefined) return false;
    const p = this.pages;
    // A page not stored yet (changed during this checkpoint's pauses) takes its windows next time.
    if (!this.store.writeWindow(p.pagePartition[page], p.pageOrdinal[page], p.windows[page]))
      p.markWindowDirty(page << PAGE_SHIFT);
    return true;
  }

  /**
   * Writes the changed parts of a state's row. Behind the readings (`all` false) quiet rule
   * states are left out unless the stored ones are not: they are the same as fresh ones but for
   * the newest time evaluated, which a replay gives back.
   */
  private writeRow(state: ContainerState, all: boolean, now: number): void {
    const bits = state.dirty;
    state.dirty = 0;
    if (this.byId.get(state.containerId) !== state) return; // forgotten since it changed
    if ((bits & Slot.Rules) !== 0) {
      const entries = state.rules;
      let quiet = true;
      for (let i = 1; i < entries.length && quiet; i += 2)
        quiet = packedIsQuiet(entries[i] as PackedRuleState);
      if (all || !quiet || this.busyRules.has(state)) {
        const states: Record<string, RuleState> = {};
        for (let i = 0; i < entries.length; i += 2)
          states[entries[i] as string] = unpackRuleState(entries[i + 1] as PackedRuleState);
        this.store.writeRules(state.containerId, state.partition, JSON.stringify(states), now);
        if (quiet) this.busyRules.delete(state);
        else this.busyRules.add(state);
      }
    }
    if ((bits & Slot.Journey) !== 0 && state.journey !== undefined) {
      const journey = state.journey;
      const json = typeof journey === 'string' ? journey : this.journeyCodec(journey);
      this.store.writeJourney(state.containerId, state.partition, json, now);
    }
  }
}
