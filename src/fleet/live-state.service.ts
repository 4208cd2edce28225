import { Injectable } from '@nestjs/common';
import { MEASUREMENT_KEYS, type Reading } from '#src/contracts/reading.js';
import { ContainerStates } from '#src/state/container-states.port.js';
import { liveValuesAt } from '#src/state/live-values.js';
import { KEYS, LIVE, PAGE_MASK, PAGE_SHIFT, STRIDE } from '#src/state/state.layout.js';
import type { ContainerLastSeen, ContainerLiveState } from './fleet.types.js';

/**
 * Each container's live values: the logic over the numbers its {@link ContainerStates} slot holds
 * (written behind a page at a time by that owner, so a restart starts from them; what a crash
 * loses of them is replayed from the inbox). "Latest" is per measurement the newest measuredAt,
 * never the last received: a late frame fills in nothing newer than what is known
 * (ARCHITECTURE.md §4). The REST read model: a {@link ContainerLiveState} object is built only
 * when read.
 */
@Injectable()
export class LiveStateService {
  constructor(private readonly states: ContainerStates) {}

  get(containerId: string): ContainerLiveState | undefined {
    const state = this.states.get(containerId);
    if (state === undefined) return undefined;
    const pages = this.states.pages;
    const slot = state.slot;
    const page = pages.numbers[slot >> PAGE_SHIFT];
    const base = (slot & PAGE_MASK) * STRIDE;
    if (Number.isNaN(page[base + LIVE])) return undefined; // rule or journey state, no reading yet
    return liveValuesAt(
      MEASUREMENT_KEYS,
      page,
      base,
      pages.present[slot >> PAGE_SHIFT][slot & PAGE_MASK],
      containerId,
      pages.deviceIds[slot],
      pages.shipmentIds[slot],
    );
  }

  /** Drops a deleted container's state (all of it: live values, rules, journey, radio links). */
  forget(containerId: string): void {
    this.states.forget(containerId);
  }

  /**
   * Every container with a live state, only when each key was last seen: the offline tick walks
   * the whole fleet every RULES_TICK_MS, and building each full state (an object per value) made
   * that walk cost ~0.5 s of the main thread at 150,000 containers.
   */
  *lastSeenAll(): IterableIterator<ContainerLastSeen> {
    const pages = this.states.pages;
    for (const state of this.states.all()) {
      const slot = state.slot;
      const page = pages.numbers[slot >> PAGE_SHIFT];
      const base = (slot & PAGE_MASK) * STRIDE;
      if (Number.isNaN(page[base + LIVE])) continue;
      const mask = pages.present[slot >> PAGE_SHIFT][slot & PAGE_MASK];
      const lastSeen: ContainerLastSeen['lastSeen'] = {};
      for (let k = 0; k < KEYS; k++)
        if ((mask & (1 << k)) !== 0) lastSeen[MEASUREMENT_KEYS[k]] = page[base + LIVE + 3 + 2 * k];
      yield {
        containerId: state.containerId,
        shipmentId: pages.shipmentIds[slot],
        lastDeviceId: pages.deviceIds[slot],
        lastSeen,
      };
    }
  }

  apply(reading: Reading): void {
    const at = reading.measuredAt;
    const pages = this.states.pages;
    const slot = this.states.obtain(reading.containerId).slot;
    const page = pages.numbers[slot >> PAGE_SHIFT];
    const base = (slot & PAGE_MASK) * STRIDE + LIVE;
    // NaN (no reading yet) compares false: the first reading sets the newest times.
    if (!(at <= page[base])) {
      page[base] = at;
      page[base + 1] = reading.receivedAt;
      pages.deviceIds[slot] = reading.deviceId;
    }
    if (at >= page[base]) pages.shipmentIds[slot] = reading.shipmentId;
    const present = pages.present[slot >> PAGE_SHIFT];
    let mask = present[slot & PAGE_MASK];
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
    present[slot & PAGE_MASK] = mask;
    pages.markDirty(slot);
  }

  /** Writes every changed state now (tests; shutdown writes through the state owner). */
  persist(): void {
    this.states.flush();
  }
}
