import type { DeviceBinding } from './fleet.types.js';

/** What a bind at a given time does to a device's binding history. */
export type BindDecision =
  /** After the history's end: a new binding (closing the open one, if any). */
  | { kind: 'append' }
  /** The newest binding starts earlier (at `at`) and is open again. */
  | { kind: 'extend' }
  /** The device is on that container already from then on: nothing to change. */
  | { kind: 'already-bound' }
  /** It would overlap the history: readings were attributed by it. */
  | { kind: 'overlaps'; detail: string };

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Bindings are a history of disjoint intervals by which readings were attributed, so a bind may
 * not rewrite it, with one exception: the device's newest binding may be moved earlier, to any
 * time after the binding before it ended, and reopened if it was unbound. That only covers time
 * when the device was on no container (its readings then were refused, none was stored), so no
 * stored reading changes container. It is the fix for a device bound without `at` (from the
 * moment of the call) whose buffered readings, measured earlier, were refused as
 * `unbound-device`, and it still works after an unbind made in trying to fix it.
 *
 * @param history the device's bindings, oldest first
 */
export function decideBind(history: readonly DeviceBinding[], containerId: string, at: number): BindDecision {
  const newest = history.at(-1);
  if (newest === undefined) return { kind: 'append' };
  const lastChange = newest.unboundAt ?? newest.boundAt;
  const sameContainer = newest.containerId === containerId;
  const open = newest.unboundAt === undefined;
  if (at > lastChange) return sameContainer && open ? { kind: 'already-bound' } : { kind: 'append' };
  const previous = history.at(-2);
  const earliest = previous === undefined ? -Infinity : (previous.unboundAt ?? previous.boundAt);
  if (sameContainer && at >= earliest) {
    return open && at >= newest.boundAt ? { kind: 'already-bound' } : { kind: 'extend' };
  }
  const movable =
    earliest === -Infinity
      ? `to any earlier time`
      : `back to ${iso(earliest)}, when the binding before it ended`;
  return {
    kind: 'overlaps',
    detail:
      `at must be after ${iso(lastChange)}, the device's last binding change; only its newest ` +
      `binding (container ${newest.containerId}) can be moved earlier, ${movable}`,
  };
}
