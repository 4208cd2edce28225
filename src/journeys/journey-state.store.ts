import { BeforeApplicationShutdown, Injectable, OnModuleInit } from '@nestjs/common';
import { Clock } from '#src/common/clock.js';
import { backgroundPause } from '#src/common/background-pause.js';
import { takeSome } from '#src/common/take-some.js';
import { JourneyEventsRepository } from './journey-events.repository.js';
import { repackJourney, unpackHeld, type HeldJourney } from './journey-state.packing.js';
import { heldFromRow, journeyRow } from './journey-state.row.js';
import type { ContainerJourneyState } from './journey.types.js';

/** How often the write-behind round runs (routine states are due every {@link ROUTINE_EVERY_TICKS}). */
const PERSIST_EVERY_MS = 1000;

/**
 * Routine position updates are written behind this often (5 minutes); changes that matter every
 * second. At 15,000 readings/s the routine round writes the whole moving fleet: ~0.7 s of the
 * main thread, spread over a few seconds in which ingestion has a fifth less of it. Every 30 s
 * that was the largest periodic task of the main thread; what it protects is a speed average
 * after a crash (a clean shutdown writes everything).
 */
export const ROUTINE_EVERY_TICKS = 300;
/** States written per transaction of the periodic write-behind (~4 ms of work). */
const PERSIST_SLICE_STATES = 500;

/**
 * Journey trackers' state per container: in memory for the hot path, written behind so a restart
 * resumes the trackers where they were. A state that changed something that matters (a site
 * entered or left, a stop started or ended, a dwell) is written before the event loop turns,
 * after the reactions it caused: the inbox replays what a crash interrupted (ARCHITECTURE.md §2), and the tracker ignores
 * a fix not newer than the state's, so a replayed fix acts neither twice nor never. A routine
 * update (one more fix on the road) is written within 5 minutes, since a crash that loses it
 * only resumes the speed averages from an older fix, as after a device's gap in coverage.
 * Everything is written at shutdown.
 *
 * Memory (issue 11): a state is held packed ({@link packJourney}), its numbers in one array of
 * doubles, and unpacked into a fresh object at every `get` (callers mutate what they get, then
 * `set` it back).
 */
@Injectable()
export class JourneyStateStore implements OnModuleInit, BeforeApplicationShutdown {
  /** A state far from every site is its numbers alone (the wrapper costs another ~60 bytes). */
  private readonly states = new Map<string, HeldJourney>();
  private readonly dirty = new Set<string>();
  private readonly routine = new Set<string>();
  /** Significant changes to write before the event loop turns (see {@link set}). */
  private readonly now = new Set<string>();
  private ticks = 0;
  private persisting = false;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly repository: JourneyEventsRepository,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    for (const row of this.repository.loadStates()) this.states.set(row.containerId, heldFromRow(row.json));
    this.timer = setInterval(() => void this.persistInSlices(), PERSIST_EVERY_MS);
    this.timer.unref();
  }

  get(containerId: string): ContainerJourneyState | undefined {
    const held = this.states.get(containerId);
    return held === undefined ? undefined : unpackHeld(containerId, held);
  }

  /**
   * Stores the state; `significant` when the fix changed site, motion phase or dwell: then it is
   * written before the event loop turns, with what the reactions to it wrote. The significant
   * changes of one run of messages share a transaction (a microtask): a transaction each cost
   * ~50 µs, and the first fixes of a fleet are nearly all significant.
   */
  set(state: ContainerJourneyState, significant = true): void {
    const previous = this.states.get(state.containerId);
    const next = repackJourney(state, previous);
    // The map's own key string is kept: the state's may be another copy of the same id.
    if (next !== previous) this.states.set(state.containerId, next);
    if (!significant) {
      this.routine.add(state.containerId);
      return;
    }
    this.routine.delete(state.containerId);
    if (this.now.size === 0) queueMicrotask(() => this.writeNow());
    this.now.add(state.containerId);
  }

  private writeNow(): void {
    const ids = [...this.now];
    this.now.clear();
    if (this.repository.open) this.repository.saveStates(this.serialise(ids), this.clock.now());
    else for (const id of ids) this.dirty.add(id);
  }

  /** Writes the changed states now, in one transaction (shutdown; tests). */
  persist(all = ++this.ticks % ROUTINE_EVERY_TICKS === 0): void {
    const ids = this.takeChanged(all);
    if (ids.length > 0 && this.repository.open)
      this.repository.saveStates(this.serialise(ids), this.clock.now());
  }

  /**
   * The periodic write-behind, {@link PERSIST_SLICE_STATES} states per transaction with background
   * pauses in between: every {@link ROUTINE_EVERY_TICKS} ticks the routine fixes of the whole
   * moving fleet are due (150,000 at 15,000 readings/s), and written at once they held ingestion
   * and REST for over a second.
   */
  private async persistInSlices(): Promise<void> {
    if (this.persisting) return;
    this.persisting = true;
    try {
      if (++this.ticks % ROUTINE_EVERY_TICKS === 0) this.routineDue();
      // Taken from `dirty` a slice at a time: what is not written yet when shutdown comes is
      // still there for it.
      for (let budget = this.dirty.size; budget > 0 && this.dirty.size > 0 && this.repository.open;) {
        const started = performance.now();
        const ids = takeSome(this.dirty, PERSIST_SLICE_STATES);
        this.repository.saveStates(this.serialise(ids), this.clock.now());
        budget -= ids.length;
        if (budget > 0) await backgroundPause(performance.now() - started);
      }
    } finally {
      this.persisting = false;
    }
  }

  private takeChanged(all: boolean): string[] {
    if (all) this.routineDue();
    for (const id of this.now) this.dirty.add(id);
    this.now.clear();
    const ids = [...this.dirty];
    this.dirty.clear();
    return ids;
  }

  private routineDue(): void {
    for (const id of this.routine) this.dirty.add(id);
    this.routine.clear();
  }

  private serialise(ids: readonly string[]): { containerId: string; json: string }[] {
    const batch: { containerId: string; json: string }[] = [];
    for (const containerId of ids) {
      const held = this.states.get(containerId);
      if (held !== undefined) batch.push({ containerId, json: journeyRow(held) });
    }
    return batch;
  }

  beforeApplicationShutdown(): void {
    clearInterval(this.timer);
    this.persist(true);
  }
}
