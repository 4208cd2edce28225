import { Injectable } from '@nestjs/common';
import { Clock } from '#src/common/clock.js';
import { estimateEta } from '#src/shipments/eta/eta.estimator.js';
import { GeofenceTracker } from '#src/shipments/geo/geofence.tracker.js';
import { ACTIVE_STATUSES, type Shipment } from '#src/shipments/shipment.types.js';
import { ShipmentsService } from '#src/shipments/shipments.service.js';
import { JourneyEventsRepository } from './journey-events.repository.js';
import { JourneySites } from './journey-sites.service.js';
import { JourneyStateStore } from './journey-state.store.js';
import type { JourneyEvent } from './journey.types.js';
import { ShipmentJourneyViews } from '#src/shipments/shipment-journey-view.port.js';
import type { ShipmentJourneyView } from '#src/shipments/shipment-journey-view.types.js';

/** Most events one journey response lists (a trip has tens). */
const MAX_EVENTS = 5000;

/** Read side of journeys: the `journey` block of a shipment, its events, a container's events. */
@Injectable()
export class JourneyViewService extends ShipmentJourneyViews {
  constructor(
    private readonly shipments: ShipmentsService,
    private readonly store: JourneyStateStore,
    private readonly sites: JourneySites,
    private readonly events: JourneyEventsRepository,
    private readonly clock: Clock,
  ) {
    super();
  }

  /**
   * Position, progress and ETA of an active shipment (issue 7); undefined once it is finished or
   * before its container reported a position. ETA and delay only while in transit; once arrived,
   * the delay is the actual one.
   */
  viewOf(s: Shipment): ShipmentJourneyView | undefined {
    if (!ACTIVE_STATUSES.includes(s.status)) return undefined;
    const state = this.store.get(s.containerId);
    if (!state?.lastFix || state.lastFixAt === undefined) return undefined;
    const destination = this.sites.find(s.destinationSiteId);
    const origin = this.sites.find(s.originSiteId);
    const plannedArrival = Date.parse(s.plannedArrival);
    const base = {
      position: state.lastFix,
      motion: state.motion.status,
      lastFixAt: new Date(state.lastFixAt).toISOString(),
      insideSiteIds: GeofenceTracker.insideSiteIds(state.geofence),
    };
    if (s.status === 'in_transit' && destination) {
      const eta = estimateEta({
        position: state.lastFix,
        ...(origin && { origin }),
        destination,
        plannedArrival,
        recentMovingSpeedKmh: state.motion.movingSpeedKmh,
        motionStatus: state.motion.status,
        lastPositionAt: state.lastFixAt,
        nowMs: this.clock.now(),
      });
      return {
        ...base,
        progressPct: eta.progressPct,
        remainingKm: eta.remainingKm,
        eta: eta.etaMs === null ? null : new Date(eta.etaMs).toISOString(),
        delayMin: eta.delayMs === null ? null : Math.round(eta.delayMs / 60_000),
        confidence: eta.confidence,
        basis: eta.basis,
      };
    }
    const arrived = s.status === 'arrived' && s.arrivedAt !== undefined;
    return {
      ...base,
      progressPct: arrived ? 100 : 0,
      remainingKm: arrived ? 0 : null,
      eta: arrived ? (s.arrivedAt ?? null) : null,
      delayMin: arrived ? Math.round((Date.parse(s.arrivedAt ?? '') - plannedArrival) / 60_000) : null,
      confidence: 'unknown',
      basis: arrived ? 'arrived: the actual arrival' : 'not departed yet',
    };
  }

  async shipmentJourney(id: string): Promise<{
    shipmentId: string;
    journey: ShipmentJourneyView | null;
    events: JourneyEvent[];
  }> {
    const s = await this.shipments.require(id);
    return {
      shipmentId: s.id,
      journey: this.viewOf(s) ?? null,
      events: await this.events.byShipment(s.id, MAX_EVENTS),
    };
  }

  containerEvents(containerId: string, from: number, to: number): Promise<JourneyEvent[]> {
    return this.events.byContainer(containerId, from, to, MAX_EVENTS);
  }
}
