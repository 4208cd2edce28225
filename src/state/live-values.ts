import { MEASUREMENT_KEYS } from '#src/contracts/reading.js';
import { KEYS, LIVE } from './state.layout.js';

/** A container's live values as an object (the fleet's `ContainerLiveState` has this shape). */
export interface LiveValues {
  containerId: string;
  lastMeasuredAt: number;
  lastReceivedAt: number;
  lastDeviceId: string;
  shipmentId?: string;
  values: Partial<Record<string, { value: number | boolean; measuredAt: number }>>;
}

/**
 * The live values held at `base` of a page laid out for `keys` with `stride` numbers a slot
 * (this version's, or a stored page of another), as an object.
 */
export function liveValuesAt(
  keys: readonly string[],
  page: Float64Array,
  base: number,
  mask: number,
  containerId: string,
  lastDeviceId: string,
  shipmentId: string | undefined,
): LiveValues {
  const values: LiveValues['values'] = {};
  for (let k = 0; k < keys.length; k++) {
    if ((mask & (1 << k)) === 0) continue;
    const at = base + LIVE + 2 + 2 * k;
    values[keys[k]] = { value: keys[k] === 'doorOpen' ? page[at] === 1 : page[at], measuredAt: page[at + 1] };
  }
  const state: LiveValues = {
    containerId,
    lastMeasuredAt: page[base + LIVE],
    lastReceivedAt: page[base + LIVE + 1],
    lastDeviceId,
    values,
  };
  if (shipmentId !== undefined) state.shipmentId = shipmentId;
  return state;
}

/** Writes live values into the slot at `base` of a page of this version; returns its presence bits. */
export function putLiveValues(page: Float64Array, base: number, state: LiveValues): number {
  page[base + LIVE] = state.lastMeasuredAt;
  page[base + LIVE + 1] = state.lastReceivedAt;
  let mask = 0;
  for (let k = 0; k < KEYS; k++) {
    const latest = state.values[MEASUREMENT_KEYS[k]];
    if (latest === undefined) continue;
    const i = base + LIVE + 2 + 2 * k;
    page[i] = typeof latest.value === 'boolean' ? (latest.value ? 1 : 0) : latest.value;
    page[i + 1] = latest.measuredAt;
    mask |= 1 << k;
  }
  return mask;
}
