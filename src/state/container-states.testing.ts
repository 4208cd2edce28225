import { Clock, ManualClock } from '#src/common/clock.js';
import { SqliteDatabase } from '#src/storage/sqlite-database.js';
import { StateCheckpoint } from '#src/storage/state-checkpoint.js';
import { Slot, type ContainerState } from './container-state.js';
import type { ExcursionState } from './rule-state.js';
import { packRuleState, unpackRuleState, type PackedRuleState } from './rule-state.packing.js';
import { SqliteContainerStates } from './sqlite-container-states.js';
import { LINK, LINKS, Link, PAGE_MASK, PAGE_SHIFT, STRIDE, WINDOW_STRIDE } from './state.layout.js';
import { StateOptions } from './state.options.js';
import type { WriteBehindContainerStates } from './write-behind-container-states.js';

/** The state owner over `db`, initialised (its stored states loaded), for specs. */
export function openContainerStates(
  db: SqliteDatabase,
  clock: Clock = new ManualClock(0),
  partitions = 64,
  checkpoint = new StateCheckpoint(db, clock),
  ownedAtStart?: readonly number[],
): SqliteContainerStates {
  const options = Object.assign(new StateOptions(), { partitions, ownedAtStart });
  const states = new SqliteContainerStates(db, clock, checkpoint, options);
  states.onModuleInit();
  return states;
}

/** The instant the filled states' numbers are about. */
export const STATE_T = Date.UTC(2026, 10, 22, 8, 0, 0);
/** A rule state under way (not quiet): written behind. */
export const BUSY: ExcursionState = {
  type: 'excursion',
  lastAt: STATE_T,
  phase: 'pending',
  startedAt: STATE_T,
  count: 2,
  peak: 9,
};

/** A state given something in every part: numbers, a radio link, rule states, a journey row. */
export function fillState(states: WriteBehindContainerStates, id: string, n: number): ContainerState {
  const state = states.obtain(id);
  const page = states.pages.numbers[state.slot >> PAGE_SHIFT];
  const base = (state.slot & PAGE_MASK) * STRIDE;
  page[base] = STATE_T + n; // lastMeasuredAt
  page[base + LINK + Link.LastFCnt] = n;
  // A key in its dedupe window: [hash, fingerprint, first sighting].
  states.pages.windows[state.slot >> PAGE_SHIFT].set(
    [n + 1, n + 2, STATE_T + n],
    (state.slot & PAGE_MASK) * WINDOW_STRIDE,
  );
  states.pages.markWindowDirty(state.slot);
  states.pages.linkDevices[state.slot * LINKS] = `D-${id}`;
  states.pages.deviceIds[state.slot] = `D-${id}`;
  states.pages.markDirty(state.slot);
  state.rules = [
    'r1',
    packRuleState({ ...BUSY, count: n }),
    'r2',
    packRuleState({ ...BUSY, lastAt: STATE_T + n }),
  ];
  states.changed(state, Slot.Rules);
  state.journey = `[${n}]`;
  states.changed(state, Slot.Journey);
  return state;
}

/** What a state holds, comparable across processes. */
export function readState(states: WriteBehindContainerStates, id: string): unknown {
  const state = states.get(id);
  if (state === undefined) return undefined;
  const slot = state.slot;
  const base = (slot & PAGE_MASK) * STRIDE;
  return {
    partition: state.partition,
    numbers: [...states.pages.numbers[slot >> PAGE_SHIFT].subarray(base, base + STRIDE)],
    // Restored keys are marked (first sighting negated): compared as they were.
    window: [
      ...states.pages.windows[slot >> PAGE_SHIFT].subarray(
        (slot & PAGE_MASK) * WINDOW_STRIDE,
        (slot & PAGE_MASK) * WINDOW_STRIDE + WINDOW_STRIDE,
      ),
    ].map(Math.abs),
    device: states.pages.deviceIds[slot],
    link: states.pages.linkDevices[slot * LINKS],
    rules: state.rules.map((e, i) => (i % 2 === 0 ? e : unpackRuleState(e as PackedRuleState))),
    journey: state.journey,
  };
}
