import type { GeoPoint } from '#src/shipments/geo/geofence.types.js';
import { distanceM } from '#src/shipments/geo/great-circle.util.js';

/**
 * Thresholds of the motion tracker.
 *
 * Jitter: fixes of a parked container scatter ±20 m, so two of them can be 40 m apart; at 10 s that
 * is 14 km/h of fake speed between consecutive fixes. The tracker therefore never compares a fix
 * with the previous one alone: it keeps an anchor (the first fix at the current place) and calls the
 * container moving only when a fix lands more than `placeRadiusM` (75 m, ~2 × the worst jitter
 * spread) from it. Staying within that radius for `stopAfterMs` (3 min: longer than a red light or
 * a toll booth) is a stop, dated from the anchor. Speeds are smoothed with exponential moving
 * averages whose weight depends on elapsed time, not on fix count, so irregular reporting is fine.
 */
export interface MotionThresholds {
  placeRadiusM: number;
  stopAfterMs: number;
  /** Time constant of the current speed. */
  speedTauMs: number;
  /** Time constant of the recent moving speed the ETA uses (stops do not pull it down). */
  movingSpeedTauMs: number;
  /** A fix implying more than this from the last accepted one is an outlier. */
  maxPlausibleSpeedKmh: number;
  /** After this many outliers in a row the next one is believed (the container was carried away). */
  maxOutliersInRow: number;
}

export const DEFAULT_MOTION_THRESHOLDS: MotionThresholds = {
  placeRadiusM: 75,
  stopAfterMs: 180_000,
  speedTauMs: 120_000,
  movingSpeedTauMs: 600_000,
  maxPlausibleSpeedKmh: 200,
  maxOutliersInRow: 2,
};

export type MotionStatus = 'unknown' | 'moving' | 'stopped';

export interface Fix extends GeoPoint {
  /** measuredAt, epoch ms. */
  at: number;
}

export interface MotionState {
  status: MotionStatus;
  /** Last accepted fix. */
  lastFix?: Fix;
  /** First fix at the current place. */
  anchor?: Fix;
  /** Smoothed current speed, km/h (0 when stopped). */
  speedKmh: number;
  /** Smoothed speed over moving stretches only, km/h. */
  movingSpeedKmh?: number;
  /** The current stop: where (the anchor) and since when. */
  stop?: Fix;
  outliersInRow: number;
}

export type MotionEvent =
  | { type: 'stop-started'; lat: number; lon: number; since: number; confirmedAt: number }
  | { type: 'stop-ended'; lat: number; lon: number; since: number; until: number; durationMs: number };

export interface MotionUpdate {
  state: MotionState;
  events: readonly MotionEvent[];
}

const MS_PER_H = 3_600_000;

/**
 * Movement of one container as a pure state machine: `(state, fix) → (state, events)`.
 * Fixes must come in measuredAt order; an older or unusable fix leaves the state unchanged.
 * A stop ends at the last fix seen at the place (the departure happened between that fix and the
 * next one; the earlier bound is what was measured).
 */
export class MotionTracker {
  constructor(private readonly thresholds: MotionThresholds = DEFAULT_MOTION_THRESHOLDS) {}

  static initialState(): MotionState {
    return { status: 'unknown', speedKmh: 0, outliersInRow: 0 };
  }

  update(state: MotionState, fix: Fix): MotionUpdate {
    const usable = Number.isFinite(fix.lat) && Number.isFinite(fix.lon) && Number.isFinite(fix.at);
    const { lastFix, anchor } = state;
    if (!usable || (lastFix && fix.at <= lastFix.at)) return { state, events: NO_EVENTS };
    if (!lastFix || !anchor)
      return { state: withFix(state, fix, fix, state.outliersInRow), events: NO_EVENTS };

    const th = this.thresholds;
    const jumpKmh = (distanceM(lastFix, fix) / (fix.at - lastFix.at)) * (MS_PER_H / 1000);
    if (jumpKmh > th.maxPlausibleSpeedKmh) {
      if (state.outliersInRow < th.maxOutliersInRow) {
        return {
          state: withFix(state, state.lastFix, state.anchor, state.outliersInRow + 1),
          events: NO_EVENTS,
        };
      }
      // Believed: the container is elsewhere; restart from here, closing any stop.
      const events = state.stop ? [stopEnded(state.stop, lastFix.at)] : NO_EVENTS;
      return { state: { ...MotionTracker.initialState(), lastFix: fix, anchor: fix }, events };
    }

    const fromAnchorM = distanceM(anchor, fix);
    if (fromAnchorM <= th.placeRadiusM) return this.stayed(state, anchor, fix);

    // Left the place: measure the speed over the stretch since the anchor, or since the last fix
    // when the anchor is a stop (the stop's duration is not driving time).
    const base = state.stop ? lastFix : anchor;
    const sampleKmh = (distanceM(base, fix) / (fix.at - base.at)) * (MS_PER_H / 1000);
    const dt = fix.at - lastFix.at;
    const events = state.stop ? [stopEnded(state.stop, lastFix.at)] : NO_EVENTS;
    return {
      state: {
        status: 'moving',
        lastFix: fix,
        anchor: fix,
        speedKmh: smooth(state.speedKmh, sampleKmh, dt, th.speedTauMs),
        movingSpeedKmh:
          state.movingSpeedKmh === undefined
            ? sampleKmh
            : smooth(state.movingSpeedKmh, sampleKmh, dt, th.movingSpeedTauMs),
        outliersInRow: 0,
      },
      events,
    };
  }

  private stayed(state: MotionState, anchor: Fix, fix: Fix): MotionUpdate {
    const base = withFix(state, fix, anchor, 0);
    if (state.stop) {
      base.speedKmh = 0;
      return { state: base, events: NO_EVENTS };
    }
    if (fix.at - anchor.at < this.thresholds.stopAfterMs) return { state: base, events: NO_EVENTS };
    const stop: Fix = { lat: anchor.lat, lon: anchor.lon, at: anchor.at };
    base.status = 'stopped';
    base.speedKmh = 0;
    base.stop = stop;
    return {
      state: base,
      events: [{ type: 'stop-started', lat: stop.lat, lon: stop.lon, since: stop.at, confirmedAt: fix.at }],
    };
  }
}

/** The events of nearly every fix: none, without an array allocated for it. */
const NO_EVENTS: readonly MotionEvent[] = Object.freeze([]);

/**
 * A copy of the state with another last fix, anchor and outlier count, built field by field
 * (an object spread takes V8's slow path here, once per fix of the fleet).
 */
function withFix(
  state: MotionState,
  lastFix: Fix | undefined,
  anchor: Fix | undefined,
  outliersInRow: number,
): MotionState {
  const next: MotionState = { status: state.status, speedKmh: state.speedKmh, outliersInRow };
  if (lastFix !== undefined) next.lastFix = lastFix;
  if (anchor !== undefined) next.anchor = anchor;
  if (state.movingSpeedKmh !== undefined) next.movingSpeedKmh = state.movingSpeedKmh;
  if (state.stop !== undefined) next.stop = state.stop;
  return next;
}

/** A field added to MotionState fails to compile here until withFix carries it over. */
type MotionFieldsNotCopied = Exclude<
  keyof MotionState,
  'status' | 'speedKmh' | 'outliersInRow' | 'lastFix' | 'anchor' | 'movingSpeedKmh' | 'stop'
>;
export const MOTION_FIELDS_ALL_COPIED: [MotionFieldsNotCopied] extends [never] ? true : never = true;

function stopEnded(stop: Fix, until: number): MotionEvent {
  return {
    type: 'stop-ended',
    lat: stop.lat,
    lon: stop.lon,
    since: stop.at,
    until,
    durationMs: until - stop.at,
  };
}

/** Exponential moving average for irregular samples: the weight of the new sample grows with dt. */
function smooth(previous: number, sample: number, dtMs: number, tauMs: number): number {
  const alpha = 1 - Math.exp(-dtMs / tauMs);
  return previous + alpha * (sample - previous);
}
