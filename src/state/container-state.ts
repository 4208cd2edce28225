import type { PackedRuleState } from './rule-state.packing.js';

/** `[key, packed, key, packed, …]`: far smaller than a Map for the two to ten rules a container has. */
export type RuleEntries = (string | PackedRuleState)[];

/**
 * A journey state as the journeys feature holds it (its packing is theirs), or the row it was
 * stored as, until first read. Opaque here: the state layer only stores it (see
 * {@link JourneyCodec}).
 */
export type JourneySlot = object | string;

/** Turns a held journey state into its stored row (the journeys feature's packing). */
export type JourneyCodec = (held: object) => string;

/** The parts of a container's state, each marked changed on its own (bits of {@link ContainerState.dirty}). */
export const Slot = {
  /** Live values, radio links and dedupe window: the numbers of its page slot. */
  Numbers: 1,
  Rules: 2,
  Journey: 4,
} as const;
export type Slot = (typeof Slot)[keyof typeof Slot];

/**
 * Everything convoi keeps in memory about one container, in one place (ARCHITECTURE.md §5):
 * its numbers (live values, the radio links of its devices, its dedupe window) in a slot of the
 * paged arrays of {@link ContainerStates.pages}, its rule states packed, its journey state. One
 * owner, {@link ContainerStates}, loads it, writes it behind and restores it by partition; the
 * features keep the logic that reads and changes each part.
 */
export class ContainerState {
  /** The container's rule states ({@link RuleEntries}); replaced, never grown in place. */
  rules: RuleEntries = NO_RULES;
  journey: JourneySlot | undefined = undefined;
  /** {@link Slot} bits of the parts changed since written. */
  dirty = 0;
  /**
   * Set once forgotten (the container deleted): a reference kept to skip a lookup
   * ({@link ContainerStates.obtainKept}) must then not be used.
   */
  forgotten = false;

  constructor(
    readonly containerId: string,
    /** The input-log partition it belongs to (`partitionOf`): what a takeover restores. */
    readonly partition: number,
    /** Its place in the paged numbers. */
    readonly slot: number,
  ) {}
}

// Shared and frozen: a view replaces the array when it adds a rule (`concat`), never pushes.
const NO_RULES = Object.freeze([]) as unknown as RuleEntries;
