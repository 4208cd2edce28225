import type { DwellState } from '#src/shipments/eta/dwell.detector.js';
import type { MotionState } from '#src/shipments/eta/motion.tracker.js';
import type { GeofenceTrackerState } from '#src/shipments/geo/geofence.tracker.js';

/**
 * One container's journey trackers, persisted as one small JSON document (ARCHITECTURE.md §6).
 * `alerts` remembers what this feature has announced, so a restart neither repeats nor forgets.
 */
export interface ContainerJourneyState {
  containerId: string;
  geofence: GeofenceTrackerState;
  motion: MotionState;
  dwell: DwellState;
  /** Newest fix the trackers took, epoch ms: older fixes are ignored. */
  lastFixAt?: number;
  lastFix?: { lat: number; lon: number };
  alerts: {
    /** Unexpected sites the container is inside while an `unexpected-site` alert is out. */
    unexpectedSiteIds: string[];
    /** Delay (minutes) last announced by the `arrival-delay` alert; absent when none is out. */
    delayMin?: number;
    /** Start of the off-site stop the `dwell` alert is about; absent when none is out. */
    dwellSince?: number;
  };
}

export const JOURNEY_EVENT_TYPES = ['enter', 'leave', 'site-dwell', 'stop', 'status'] as const;
export type JourneyEventType = (typeof JOURNEY_EVENT_TYPES)[number];

/**
 * A stored journey event. `enter`/`leave`: a confirmed geofence crossing (`at` = first fix on the
 * new side); `site-dwell`: a stop inside a site, `at`…`until`; `stop`: a stop outside every site,
 * `at`…`until` at `lat`/`lon`; `status`: a shipment status change, `detail` says which and who.
 */
export interface JourneyEvent {
  containerId: string;
  shipmentId?: string;
  type: JourneyEventType;
  siteId?: string;
  siteKind?: string;
  at: number;
  until?: number;
  lat?: number;
  lon?: number;
  detail?: string;
}

export function initialJourneyState(containerId: string): ContainerJourneyState {
  return {
    containerId,
    geofence: { sites: {} },
    motion: { status: 'unknown', speedKmh: 0, outliersInRow: 0 },
    dwell: {},
    alerts: { unexpectedSiteIds: [] },
  };
}

export type { MotionState };
