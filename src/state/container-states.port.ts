import type { CheckpointParticipant } from '#src/storage/state-checkpoint.js';
import type { ContainerState, JourneyCodec, Slot } from './container-state.js';
import type { StatePages } from './state-pages.js';

/**
 * The one owner of every container's state (ARCHITECTURE.md §5): memory for the hot path, written
 * behind at each state checkpoint, restorable by partition of the input log. The features read
 * and change the parts of a {@link ContainerState} (their logic), then say what changed:
 * {@link changed} (written at the next checkpoint), {@link writeNow} / {@link writeSoon} (what a
 * replay must not do twice: a concluding rule state, a significant journey state).
 * A Nest token: bound to the SQLite adapter, or the PostgreSQL one with `DATABASE_URL`.
 */
export abstract class ContainerStates implements CheckpointParticipant {
  /** The partition count of the input log: each state's partition is `partitionOf(id, partitions)`. */
  abstract readonly partitions: number;
  /** The paged numbers (live values, radio links, dedupe windows) the states' slots index. */
  abstract readonly pages: StatePages;

  abstract get(containerId: string): ContainerState | undefined;
  /** The container's state, created empty (in its partition) when it has none. */
  abstract obtain(containerId: string): ContainerState;
  /**
   * {@link obtain} for a caller that kept the state it got for an earlier reading (the
   * pipeline, with the device's binding): `kept` itself when it is still the container's, without
   * a lookup in a map of the whole fleet; the stages of the reading then find it too.
   */
  obtainKept(containerId: string, kept: ContainerState | undefined): ContainerState {
    return kept !== undefined && !kept.forgotten && kept.containerId === containerId
      ? kept
      : this.obtain(containerId);
  }
  /** Every state held (offline tick, read models); a state created during the walk may be missed. */
  abstract all(): IterableIterator<ContainerState>;
  abstract size(): number;

  /** `slot` of the state changed: written behind at the next checkpoint. */
  abstract changed(state: ContainerState, slot: Slot): void;
  /** Writes `slot` of the state now, synchronously (with the alert its rule just wrote). */
  abstract writeNow(state: ContainerState, slot: Slot): void;
  /** Writes `slot` of the state before the event loop turns: those of one run share a transaction. */
  abstract writeSoon(state: ContainerState, slot: Slot): void;
  /** Drops a deleted container's state, in memory and stored. */
  abstract forget(containerId: string): void;

  /**
   * Loads the stored states of these partitions (those held already are left as they are): what
   * a process that takes the partitions over starts from, before the input log replays what
   * follows their checkpoint. Resolves once they are loaded (SQLite: before it returns).
   */
  abstract restore(partitions: readonly number[]): Promise<void>;
  /**
   * Drops the states of these partitions from memory, their stored rows untouched, and writes
   * nothing more of them: they are another processor's now (cluster mode, after their last
   * checkpoint here, or lost). A later {@link restore} loads them again as stored then.
   */
  abstract release(partitions: readonly number[]): void;
  /** The checkpoint's write-behind: what changed, in slices with background pauses between. */
  abstract writeBehind(): Promise<void>;
  /** Writes everything changed now, in one transaction (shutdown; tests). */
  abstract flush(): void;

  /** How journey states are stored (the journeys feature packs them; this layer only stores). */
  abstract useJourneyCodec(codec: JourneyCodec): void;
  /** Runs in every write transaction, first: what must be stored with the states (journey events). */
  abstract beforeWrite(hook: () => void): void;
}
