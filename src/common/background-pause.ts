import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Most of the main thread that background work (the offline-rule tick, the write-behind stores,
 * the retention purge) takes while it runs. Ingestion needs about two thirds of the thread at
 * 15,000 readings/s; background slices that only yielded a turn of the event loop took half of it
 * while they ran, so every offline tick over 150,000 containers built a backlog that took seconds
 * to drain (issue 11: publish → stored p99 of 150–250 ms in a 10 s window).
 */
export const BACKGROUND_SHARE = 0.2;

/**
 * The pause after a slice of background work that took `sliceMs`, so that background work keeps
 * to {@link BACKGROUND_SHARE} of the thread. The work takes longer by as much; it is periodic and
 * nobody waits on it (the offline tick every 10 s, the state checkpoint every 5 s).
 */
export function backgroundPause(sliceMs: number): Promise<void> {
  return sleep(Math.max(1, Math.round(sliceMs * (1 / BACKGROUND_SHARE - 1))));
}
