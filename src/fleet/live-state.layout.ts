import { MEASUREMENT_KEYS } from '#src/contracts/reading.js';
import type { ContainerLiveState, LatestValue } from './fleet.types.js';
import type { StoredPage } from './live-state.pages.js';

// How a live state is laid out in the numbers of its page, in memory and as stored.

/** Slots per page: storage grows a page at a time, so it never holds more than one page unused. */
export const PAGE_SLOTS = 1024; // slot >> 10 is its page, slot & 1023 its place in it
export const KEYS = MEASUREMENT_KEYS.length;
/** Per slot: lastMeasuredAt, lastReceivedAt, then per measurement its value and measuredAt. */
export const STRIDE = 2 + 2 * KEYS;

/** Whether a stored page holds its numbers the way this version does. */
export function sameLayout(stored: StoredPage): boolean {
  const keys = stored.ids.keys;
  return (
    stored.numbers.length === PAGE_SLOTS * STRIDE &&
    keys.length === KEYS &&
    keys.every((key, k) => key === MEASUREMENT_KEYS[k])
  );
}

/** The states of a page stored with another layout, to restore one by one. */
export function statesOf(stored: StoredPage): ContainerLiveState[] {
  const out: ContainerLiveState[] = [];
  for (let i = 0; i < stored.ids.containers.length; i++) {
    const id = stored.ids.containers[i];
    if (id === null) continue;
    out.push(
      stateAt(
        stored.ids.keys,
        stored.numbers,
        i,
        stored.present[i],
        id,
        stored.ids.devices[i] ?? '',
        stored.ids.shipments[i] ?? undefined,
      ),
    );
  }
  return out;
}

/** The live state held at place `i` of a page laid out for `keys`. */
export function stateAt(
  keys: readonly string[],
  page: Float64Array,
  i: number,
  mask: number,
  containerId: string,
  lastDeviceId: string,
  shipmentId: string | undefined,
): ContainerLiveState {
  const base = i * (2 + 2 * keys.length);
  const values: Record<string, LatestValue> = {};
  for (let k = 0; k < keys.length; k++) {
    if ((mask & (1 << k)) === 0) continue;
    const at = base + 2 + 2 * k;
    values[keys[k]] = { value: keys[k] === 'doorOpen' ? page[at] === 1 : page[at], measuredAt: page[at + 1] };
  }
  const state: ContainerLiveState = {
    containerId,
    lastMeasuredAt: page[base],
    lastReceivedAt: page[base + 1],
    lastDeviceId,
    values,
  };
  if (shipmentId !== undefined) state.shipmentId = shipmentId;
  return state;
}
