import { BeforeApplicationShutdown, Injectable, OnModuleInit } from '@nestjs/common';
import { Slot, type ContainerState } from '#src/state/container-state.js';
import { ContainerStates } from '#src/state/container-states.port.js';
import { JourneyEventsRepository } from './journey-events.repository.js';
import { repackJourney, unpackHeld, type HeldJourney } from './journey-state.packing.js';
import { heldFromRow, journeyRow } from './journey-state.row.js';
import type { ContainerJourneyState } from './journey.types.js';

/** How often the routine round is counted (routine states are due every {@link ROUTINE_EVERY_TICKS}). */
const TICK_MS = 1000;

/**
 * Routine position updates are written behind this often (5 minutes); changes that matter at
 * once. At 15,000 readings/s the routine round writes the whole moving fleet: ~0.7 s of the
 * main thread, spread over a few seconds in which ingestion has a fifth less of it. Every 30 s
 * that was the largest periodic task of the main thread; what it protects is a speed average
 * after a crash (a clean shutdown writes everything).
 */
export const ROUTINE_EVERY_TICKS = 300;

/**
 * Journey trackers' state per container: the journey part of each container's
 * {@link ContainerState}, held packed ({@link repackJourney}: its numbers in one array of doubles)
 * and unpacked into a fresh object at every `get` (callers mutate what they get, then `set` it
 * back). A state that changed something that matters (a site entered or left, a stop started or
 * ended, a dwell) is written before the event loop turns, after the reactions it caused and with
 * the events they queued: the inbox replays what a crash interrupted (ARCHITECTURE.md §2), and
 * the tracker ignores a fix not newer than the state's, so a replayed fix acts neither twice nor
 * never. A routine update (one more fix on the road) is handed to the state checkpoint within 5
 * minutes, since a crash that loses it only resumes the speed averages from an older fix, as
 * after a device's gap in coverage. Everything is written at shutdown.
 */
@Injectable()
export class JourneyStateStore implements OnModuleInit, BeforeApplicationShutdown {
  private readonly routine = new Set<ContainerState>();
  private ticks = 0;
  private timer?: NodeJS.Timeout;
  private effectsStored?: () => Promise<void> | undefined;

  constructor(
    private readonly states: ContainerStates,
    repository: JourneyEventsRepository,
  ) {
    states.useJourneyCodec((held) => journeyRow(held as HeldJourney));
    // The events the reactions queued go into the transaction that writes the states they
    // explain: a state that entered a site is never stored without its `enter` event, which a
    // replay after a crash (the state then ignores the fix) could not write again.
    states.beforeWrite(() => repository.flush());
  }

  onModuleInit(): void {
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
  }

  get(containerId: string): ContainerJourneyState | undefined {
    const state = this.states.get(containerId);
    const held = state === undefined ? undefined : this.held(state);
    return held === undefined ? undefined : unpackHeld(containerId, held);
  }

  /**
   * Stores the state; `significant` when the fix changed site, motion phase or dwell: then it is
   * written before the event loop turns, with what the reactions to it wrote. The significant
   * changes of one run of messages share a transaction (a microtask): a transaction each cost
   * ~50 µs, and the first fixes of a fleet are nearly all significant.
   */
  set(journey: ContainerJourneyState, significant = true): void {
    const state = this.states.obtain(journey.containerId);
    state.journey = repackJourney(journey, this.held(state));
    if (!significant) {
      this.routine.add(state);
      return;
    }
    this.routine.delete(state);
    const stored = this.effectsStored?.();
    if (stored === undefined) this.states.writeSoon(state, Slot.Journey);
    // Released meanwhile (its partition given or lost), the state is no longer this node's to write.
    else
      void stored.then(
        () => this.states.get(journey.containerId) === state && this.states.writeSoon(state, Slot.Journey),
      );
  }

  /**
   * Cluster mode: the journey events, shipment transitions and alert changes a fix concluded are
   * written to PostgreSQL behind it, kept meanwhile in this node's own outboxes; `stored` says
   * when they are in PostgreSQL (undefined: they are already). A state written before them, its
   * processor killed for good, would tell the partition's next owner that a site was entered
   * whose `enter` PostgreSQL never got, and the replayed fix would not conclude it again.
   */
  writeAfter(stored: () => Promise<void> | undefined): void {
    this.effectsStored = stored;
  }

  /** Writes the changed states now, in one transaction (shutdown; tests). */
  persist(all = ++this.ticks % ROUTINE_EVERY_TICKS === 0): void {
    if (all) this.routineDue();
    this.states.flush();
  }

  beforeApplicationShutdown(): void {
    clearInterval(this.timer);
    this.persist(true);
  }

  private tick(): void {
    if (++this.ticks % ROUTINE_EVERY_TICKS === 0) this.routineDue();
  }

  /** Hands the routine updates to the next state checkpoint. */
  private routineDue(): void {
    for (const state of this.routine) this.states.changed(state, Slot.Journey);
    this.routine.clear();
  }

  /** The state's journey as held, unpacked from its stored row on first use after a restore. */
  private held(state: ContainerState): HeldJourney | undefined {
    const journey = state.journey;
    if (typeof journey !== 'string') return journey as HeldJourney | undefined;
    const held = heldFromRow(journey);
    state.journey = held;
    return held;
  }
}
