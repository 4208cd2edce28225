import { Injectable, Logger } from '@nestjs/common';
import { JourneysConfig } from './journeys.config.js';
import type { Reading } from '#src/contracts/reading.js';
import { DwellDetector } from '#src/shipments/eta/dwell.detector.js';
import { MotionTracker } from '#src/shipments/eta/motion.tracker.js';
import { GeofenceTracker } from '#src/shipments/geo/geofence.tracker.js';
import { JourneyReactions } from './journey-reactions.service.js';
import { JourneySites } from './journey-sites.service.js';
import { JourneyStateStore } from './journey-state.store.js';
import { initialJourneyState, type ContainerJourneyState } from './journey.types.js';

type Fix = Reading & { lat: number; lon: number };

const hasPosition = (r: Reading): r is Fix => r.lat !== undefined && r.lon !== undefined;

/**
 * Follows every container that reports a position (issue 7): geofence membership with hysteresis,
 * motion and dwell, from the accepted readings (`ReadingProcessor` calls {@link onReadings}), in
 * measuredAt order per container. A fix not newer
 * than the trackers' last one is ignored (a late frame cannot rewrite enter/leave history already
 * acted on); it is still stored as telemetry and counts in the record.
 *
 * Hot path: a reading without a position costs one check; a fix costs one distance per site near
 * it (a grid of the sites) plus a few object allocations.
 */
@Injectable()
export class JourneyTracker {
  private readonly logger = new Logger(JourneyTracker.name);
  private readonly geofences = new GeofenceTracker();
  private readonly motion = new MotionTracker();
  private readonly dwell = new DwellDetector();
  private readonly maxOffSiteStopMs: number;

  constructor(
    private readonly store: JourneyStateStore,
    private readonly sites: JourneySites,
    private readonly reactions: JourneyReactions,
    config: JourneysConfig,
  ) {
    this.maxOffSiteStopMs = config.JOURNEY_DWELL_MAX_MIN * 60_000;
  }

  onReadings(readings: readonly Reading[]): void {
    if (readings.length === 1) {
      const r = readings[0];
      if (hasPosition(r)) this.safely(r);
      return;
    }
    // A buffered upload: its fixes in measuredAt order (stable, so one container's order holds).
    const fixes = readings.filter(hasPosition).sort((a, b) => a.measuredAt - b.measuredAt);
    for (const r of fixes) this.safely(r);
  }

  private safely(r: Fix): void {
    // A journey failure must never stop ingestion: the reading is already stored.
    try {
      this.onFix(r);
    } catch (err) {
      this.logger.error(
        { containerId: r.containerId, deviceId: r.deviceId, measuredAt: r.measuredAt, err },
        'Journey update failed',
      );
    }
  }

  private onFix(r: Fix): void {
    const previous = this.store.get(r.containerId) ?? initialJourneyState(r.containerId);
    if (previous.lastFixAt !== undefined && r.measuredAt <= previous.lastFixAt) return;
    const position = { lat: r.lat, lon: r.lon };
    const g = this.geofences.update(previous.geofence, this.sites.grid(), position, r.measuredAt);
    const m = this.motion.update(previous.motion, { lat: r.lat, lon: r.lon, at: r.measuredAt });
    const d = this.dwell.update(previous.dwell, {
      motion: m.state,
      motionEvents: m.events,
      insideSiteIds: insideSiteIds(g.state.sites),
      measuredAt: r.measuredAt,
      maxOffSiteStopMs: this.maxOffSiteStopMs,
    });
    // Built field by field (an object spread is the slow path here); `Required` makes a field
    // added to the state a compile error until it is carried over.
    const state: Required<ContainerJourneyState> = {
      containerId: previous.containerId,
      geofence: g.state,
      motion: m.state,
      dwell: d.state,
      lastFixAt: r.measuredAt,
      lastFix: position,
      // Reactions change the alerts in place: the previous state must not see that.
      alerts: copyAlerts(previous.alerts),
    };
    this.reactions.apply(state, r, g.events, d.events);
    this.store.set(state, g.events.length + m.events.length + d.events.length > 0);
  }
}

const NO_SITE_IDS: readonly string[] = Object.freeze([]);

/** GeofenceTracker.insideSiteIds without its arrays when the container is near no site. */
function insideSiteIds(sites: ContainerJourneyState['geofence']['sites']): readonly string[] {
  let ids: string[] | undefined;
  for (const id in sites) if (sites[id].inside) (ids ??= []).push(id);
  return ids ?? NO_SITE_IDS;
}

/** A field added to the alerts fails to compile here until copyAlerts carries it over. */
type AlertFieldsNotCopied = Exclude<
  keyof ContainerJourneyState['alerts'],
  'unexpectedSiteIds' | 'delayMin' | 'dwellSince'
>;
export const ALERT_FIELDS_ALL_COPIED: [AlertFieldsNotCopied] extends [never] ? true : never = true;

function copyAlerts(alerts: ContainerJourneyState['alerts']): ContainerJourneyState['alerts'] {
  const copy: ContainerJourneyState['alerts'] = {
    unexpectedSiteIds: alerts.unexpectedSiteIds.length === 0 ? [] : alerts.unexpectedSiteIds.slice(),
  };
  if (alerts.delayMin !== undefined) copy.delayMin = alerts.delayMin;
  if (alerts.dwellSince !== undefined) copy.dwellSince = alerts.dwellSince;
  return copy;
}
