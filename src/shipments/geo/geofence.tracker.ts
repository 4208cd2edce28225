import type { GeoPoint, Site, SiteKind } from './geofence.types.js';
import { signedBoundaryDistanceM } from './geofence-geometry.util.js';
import { SiteGrid } from './site-grid.js';

/**
 * Hysteresis of geofence membership, so GPS jitter (±20 m typical, ARCHITECTURE.md §6) at a boundary
 * never produces enter/leave storms.
 *
 * | transition | confirmed when                                                               |
 * | ---------- | ---------------------------------------------------------------------------- |
 * | enter      | a fix is inside by ≥ `enterMarginM` (30 m), or every fix has been inside     |
 * |            | (any depth) for ≥ `enterAfterMs` (60 s) (small sites, slow approach)         |
 * | leave      | a fix is outside by ≥ `leaveMarginM` (30 m)                                  |
 *
 * Leave has no time criterion on purpose: a container parked on a boundary with ±20 m jitter can
 * then enter at most once and never leave, so a storm needs real movement of more than 30 m across
 * the line. A truck that really leaves is soon far more than 30 m out.
 */
export interface GeofenceHysteresis {
  enterMarginM: number;
  enterAfterMs: number;
  leaveMarginM: number;
}

export const DEFAULT_GEOFENCE_HYSTERESIS: GeofenceHysteresis = {
  enterMarginM: 30,
  enterAfterMs: 60_000,
  leaveMarginM: 30,
};

/** Membership in one site. A site absent from the state is outside with nothing pending. */
export interface SiteMembership {
  inside: boolean;
  /** measuredAt of the first fix on the other side, while the crossing awaits confirmation. */
  pendingSince?: number;
}

const OUTSIDE: SiteMembership = Object.freeze({ inside: false });

/** Per-container tracker state: small, JSON-serialisable, persisted between readings. */
export interface GeofenceTrackerState {
  lastMeasuredAt?: number;
  sites: Record<string, SiteMembership>;
}

export interface GeofenceEvent {
  type: 'enter' | 'leave';
  siteId: string;
  siteKind: SiteKind;
  /** measuredAt of the first fix on the new side: the best estimate of the crossing time. */
  at: number;
  /** measuredAt of the fix that confirmed the crossing. */
  confirmedAt: number;
  /** Signed distance to the boundary at confirmation, metres (negative inside). */
  distanceM: number;
}

export interface GeofenceUpdate {
  state: GeofenceTrackerState;
  events: GeofenceEvent[];
}

/**
 * Geofence membership of one container as a pure state machine:
 * `(state, sites, position, measuredAt) → (state, events)`.
 *
 * Fixes must come in measuredAt order; a fix not newer than the last one is ignored (no events,
 * state unchanged), because a late fix cannot rewrite enter/leave history already published.
 * A site removed from the list is forgotten without a leave event. Cost: one distance per circle,
 * one pass over the vertices per polygon, for every site on every fix (for the few near the fix
 * with a {@link SiteGrid}).
 */
export class GeofenceTracker {
  constructor(private readonly hysteresis: GeofenceHysteresis = DEFAULT_GEOFENCE_HYSTERESIS) {}

  static initialState(): GeofenceTrackerState {
    return { sites: {} };
  }

  /** Ids of the sites the container is (confirmed) inside. */
  static insideSiteIds(state: GeofenceTrackerState): string[] {
    return Object.entries(state.sites)
      .filter(([, membership]) => membership.inside)
      .map(([id]) => id);
  }

  /**
   * The next state and events after a fix. `sites` as a {@link SiteGrid} gives the same answer as
   * its list, measuring only the sites near the fix and those the container has a membership in.
   */
  update(
    state: GeofenceTrackerState,
    sites: readonly Site[] | SiteGrid,
    position: GeoPoint,
    measuredAt: number,
  ): GeofenceUpdate {
    const usable =
      Number.isFinite(position.lat) && Number.isFinite(position.lon) && Number.isFinite(measuredAt);
    if (!usable || (state.lastMeasuredAt !== undefined && measuredAt <= state.lastMeasuredAt)) {
      return { state, events: [] };
    }
    const list = sites instanceof SiteGrid ? sites.sites : sites;
    const only = sites instanceof SiteGrid ? sites.candidates(position, state.sites) : undefined;
    const next: Record<string, SiteMembership> = {};
    const events: GeofenceEvent[] = [];
    for (let k = 0, n = only?.length ?? list.length; k < n; k++) {
      const site = list[only === undefined ? k : only[k]];
      const previous = state.sites[site.id] as SiteMembership | undefined;
      const d = signedBoundaryDistanceM(site, position);
      // Outside with nothing pending, and still outside: nothing to keep and nothing to tell.
      if (previous === undefined && !(d <= 0)) continue;
      const { membership, event } = this.step(site, previous ?? OUTSIDE, d, measuredAt);
      if (membership.inside || membership.pendingSince !== undefined) next[site.id] = membership;
      if (event) events.push(event);
    }
    return { state: { lastMeasuredAt: measuredAt, sites: next }, events };
  }

  private step(
    site: Site,
    m: SiteMembership,
    d: number,
    t: number,
  ): { membership: SiteMembership; event?: GeofenceEvent } {
    const h = this.hysteresis;
    if (!m.inside) {
      if (!(d <= 0)) return { membership: { inside: false } };
      const since = m.pendingSince ?? t;
      if (-d >= h.enterMarginM || t - since >= h.enterAfterMs) {
        return { membership: { inside: true }, event: this.event('enter', site, since, t, d) };
      }
      return { membership: { inside: false, pendingSince: since } };
    }
    if (d <= 0) return { membership: { inside: true } };
    const since = m.pendingSince ?? t;
    if (d >= h.leaveMarginM) {
      return { membership: { inside: false }, event: this.event('leave', site, since, t, d) };
    }
    return { membership: { inside: true, pendingSince: since } };
  }

  private event(
    type: GeofenceEvent['type'],
    site: Site,
    at: number,
    confirmedAt: number,
    d: number,
  ): GeofenceEvent {
    return { type, siteId: site.id, siteKind: site.kind, at, confirmedAt, distanceM: d };
  }
}
