import type { LoadGroup } from '../load/load-group.js';
import type { DeliveryTarget } from './delivery-target.js';
import { measureWindow, type WindowResult } from './measure.js';

/** Length of one warm-up window, s: the warm-up checks after each whether it may stop. */
const WARM_UP_WINDOW_S = 5;
/** After the first checkpoint's interval, how much longer the warm-up may wait for it to end, s. */
const FIRST_CHECKPOINT_GRACE_S = 30;

/**
 * The unmeasured load before a step-up's first step, at its rate: at least `minSeconds`, and on a
 * target with a state checkpoint until the first one after start has completed. That one writes
 * every page on PostgreSQL (the fleet restored by migrate-store, all of it new to the store), and
 * the first windows after start carry the JIT and the first collections of the 150,000-container
 * fleet: neither is the steady state the step-up reports. Bounded: the first checkpoint starts one
 * interval after start; past that interval plus {@link FIRST_CHECKPOINT_GRACE_S} it stops anyway.
 */
export async function warmUp(
  target: DeliveryTarget,
  load: LoadGroup,
  devices: readonly number[],
  ratePerS: number,
  minSeconds: number,
): Promise<WindowResult[]> {
  const windows: WindowResult[] = [];
  const maxSeconds = Math.max(minSeconds, target.checkpointEveryMs / 1000 + FIRST_CHECKPOINT_GRACE_S);
  const started = performance.now();
  const elapsedS = () => (performance.now() - started) / 1000;
  const checkpointPending = async () =>
    target.checkpointEveryMs > 0 && (await target.checkpoints()).count === 0;
  while (elapsedS() < minSeconds || ((await checkpointPending()) && elapsedS() < maxSeconds)) {
    windows.push(await measureWindow(target, load, 'json', devices, ratePerS, WARM_UP_WINDOW_S, 5000));
  }
  // Since start, not in the windows: one may complete during a window's drain.
  const sinceStart = (await target.checkpoints()).count;
  process.stdout.write(
    `    ${target.name} warm-up ${ratePerS}/s: ${Math.round(elapsedS())} s, ${sinceStart} checkpoints since start\n`,
  );
  return windows;
}

/**
 * A step's length: `seconds` rounded up to a whole number of the target's checkpoint intervals,
 * so each step holds one checkpoint start per interval whatever its phase (the checkpoint runs on
 * a fixed timer), and CPU per reading carries the checkpoint's cost in the share it has in steady
 * state. A shorter window holds one or none by chance: that decided the figure before.
 */
export function stepWindowSeconds(seconds: number, checkpointEveryMs: number): number {
  if (checkpointEveryMs <= 0) return seconds;
  const interval = checkpointEveryMs / 1000;
  return Math.max(1, Math.ceil(seconds / interval - 1e-9)) * interval;
}
