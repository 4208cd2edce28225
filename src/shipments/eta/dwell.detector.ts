import type { MotionEvent, MotionState } from './motion.tracker.js';

/**
 * Dwell (ARCHITECTURE.md §6): a stop outside every site longer than the profile allows is an alert with
 * its place; a stop inside sites is recorded as dwell time at each of them (rotation times for the
 * depots). A stop counts as at a site when the container is confirmed inside the site's geofence
 * at any moment of the stop (geofence entry may be confirmed after the stop is).
 */
export interface DwellStop {
  since: number;
  lat: number;
  lon: number;
  siteIds: string[];
  /** True once the off-site limit was passed (the alert is out). */
  exceeded: boolean;
}

export interface DwellState {
  stop?: DwellStop;
}

export type DwellEvent =
  | { type: 'dwell-exceeded'; lat: number; lon: number; since: number; at: number; durationMs: number }
  | {
      type: 'dwell-ended';
      lat: number;
      lon: number;
      since: number;
      until: number;
      durationMs: number;
      exceeded: boolean;
    }
  | { type: 'site-dwell'; siteId: string; since: number; until: number; durationMs: number };

export interface DwellInput {
  motion: MotionState;
  /** Events of the same fix from the motion tracker (a stop ending carries its end time). */
  motionEvents: readonly MotionEvent[];
  /** Sites the container is confirmed inside (GeofenceTracker.insideSiteIds). */
  insideSiteIds: readonly string[];
  measuredAt: number;
  /** Longest stop tolerated outside any site, ms. */
  maxOffSiteStopMs: number;
}

/** Pure state machine: `(state, input) → (state, events)`; call it once per fix, after the trackers. */
export class DwellDetector {
  static initialState(): DwellState {
    return {};
  }

  update(state: DwellState, input: DwellInput): { state: DwellState; events: DwellEvent[] } {
    const events: DwellEvent[] = [];
    let stop = state.stop;
    for (const e of input.motionEvents) {
      if (e.type === 'stop-ended' && stop && stop.since === e.since) {
        events.push(...closeStop(stop, e.until));
        stop = undefined;
      }
    }
    const current = input.motion.status === 'stopped' ? input.motion.stop : undefined;
    if (stop && (!current || current.at !== stop.since)) {
      // The tracker moved on without an end event (restart after an outlier burst): close at the last fix we saw.
      events.push(...closeStop(stop, input.measuredAt));
      stop = undefined;
    }
    if (current) {
      const siteIds = [...new Set([...(stop?.siteIds ?? []), ...input.insideSiteIds])];
      stop = {
        since: current.at,
        lat: current.lat,
        lon: current.lon,
        siteIds,
        exceeded: stop?.exceeded ?? false,
      };
      const durationMs = input.measuredAt - stop.since;
      if (stop.siteIds.length === 0 && !stop.exceeded && durationMs >= input.maxOffSiteStopMs) {
        stop = { ...stop, exceeded: true };
        events.push({
          type: 'dwell-exceeded',
          lat: stop.lat,
          lon: stop.lon,
          since: stop.since,
          at: input.measuredAt,
          durationMs,
        });
      }
    }
    return { state: stop ? { stop } : {}, events };
  }
}

function closeStop(stop: DwellStop, until: number): DwellEvent[] {
  const durationMs = until - stop.since;
  if (stop.siteIds.length > 0) {
    return stop.siteIds.map((siteId) => ({
      type: 'site-dwell',
      siteId,
      since: stop.since,
      until,
      durationMs,
    }));
  }
  return [
    {
      type: 'dwell-ended',
      lat: stop.lat,
      lon: stop.lon,
      since: stop.since,
      until,
      durationMs,
      exceeded: stop.exceeded,
    },
  ];
}
