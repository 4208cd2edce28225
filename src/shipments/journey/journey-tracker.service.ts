import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '#src/config/app-config.js';
import type { Reading } from '#src/contracts/reading.js';
import { ReadingPipeline } from '#src/ingestion/reading-pipeline.service.js';
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
 * motion and dwell, from the accepted readings, in measuredAt order per container. A fix not newer
 * than the trackers' last one is ignored (a late frame cannot rewrite enter/leave history already
 * acted on); it is still stored as telemetry and counts in the record.
 *
 * Hot path: a reading without a position costs one check; a fix costs one distance per site
 * (linear scan: hundreds of sites take microseconds) plus a few object allocations.
 */
@Injectable()
export class JourneyTracker implements OnModuleInit {
  private readonly logger = new Logger(JourneyTracker.name);
  private readonly geofences = new GeofenceTracker();
  private readonly motion = new MotionTracker();
  private readonly dwell = new DwellDetector();
  private readonly maxOffSiteStopMs: number;

  constructor(
    private readonly pipeline: ReadingPipeline,
    private readonly store: JourneyStateStore,
    private readonly sites: JourneySites,
    private readonly reactions: JourneyReactions,
    config: AppConfig,
  ) {
    this.maxOffSiteStopMs = config.JOURNEY_DWELL_MAX_MIN * 60_000;
  }

  onModuleInit(): void {
    this.pipeline.onAccepted((readings) => this.onReadings(readings));
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
      this.logger.error(`journey of ${r.containerId} at ${r.measuredAt}: ${(err as Error).message}`);
    }
  }

  private onFix(r: Fix): void {
    const previous = this.store.get(r.containerId) ?? initialJourneyState(r.containerId);
    if (previous.lastFixAt !== undefined && r.measuredAt <= previous.lastFixAt) return;
    const position = { lat: r.lat, lon: r.lon };
    const g = this.geofences.update(previous.geofence, this.sites.all(), position, r.measuredAt);
    const m = this.motion.update(previous.motion, { lat: r.lat, lon: r.lon, at: r.measuredAt });
    const insideSiteIds = GeofenceTracker.insideSiteIds(g.state);
    const d = this.dwell.update(previous.dwell, {
      motion: m.state,
      motionEvents: m.events,
      insideSiteIds,
      measuredAt: r.measuredAt,
      maxOffSiteStopMs: this.maxOffSiteStopMs,
    });
    const state: ContainerJourneyState = {
      ...previous,
      geofence: g.state,
      motion: m.state,
      dwell: d.state,
      lastFixAt: r.measuredAt,
      lastFix: position,
      alerts: { ...previous.alerts, unexpectedSiteIds: [...previous.alerts.unexpectedSiteIds] },
    };
    this.reactions.apply(state, r, g.events, d.events);
    this.store.set(state, g.events.length + m.events.length + d.events.length > 0);
  }
}
