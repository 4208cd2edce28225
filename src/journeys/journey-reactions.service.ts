import { Injectable, OnModuleInit } from '@nestjs/common';
import { JourneysConfig } from './journeys.config.js';
import type { Reading } from '#src/contracts/reading.js';
import { DomainEvents } from '#src/common/events/domain-events.js';
import type { JourneyRule, RuleEvent } from '#src/contracts/rule-event.js';
import type { ShipmentStatusChange } from '#src/contracts/shipment-status.js';
import type { DwellEvent } from '#src/shipments/eta/dwell.detector.js';
import { estimateEta } from '#src/shipments/eta/eta.estimator.js';
import type { GeofenceEvent } from '#src/shipments/geo/geofence.tracker.js';
import type { Shipment } from '#src/shipments/shipment.types.js';
import { ShipmentsService } from '#src/shipments/shipments.service.js';
import { JourneyEventsRepository } from './journey-events.repository.js';
import { JourneySites } from './journey-sites.service.js';
import { JourneyStateStore } from './journey-state.store.js';
import type { ContainerJourneyState } from './journey.types.js';

const DWELL: JourneyRule = { id: 'dwell', kind: 'journey' };
const UNEXPECTED_SITE: JourneyRule = { id: 'unexpected-site', kind: 'journey' };
const ARRIVAL_DELAY: JourneyRule = { id: 'arrival-delay', kind: 'journey' };
/** A delay alert is updated when the delay grew by this much since it was last announced, minutes. */
const DELAY_UPDATE_STEP_MIN = 5;

const iso = (ms: number) => new Date(ms).toISOString();
const minutes = (ms: number) => Math.round(ms / 60_000);
const place = (lat: number, lon: number) => `${lat.toFixed(5)}, ${lon.toFixed(5)}`;

/**
 * What a fix's journey events mean for the shipment (issue 7): departure and arrival move the
 * status, an unexpected site, a long stop off-site and a late ETA raise `journey` rule events
 * (the alerts feature turns them into alerts, one active per container and rule). Everything is
 * dated by measuredAt, so a buffered upload is judged at the time it describes.
 */
@Injectable()
export class JourneyReactions implements OnModuleInit {
  private readonly cache = new Map<string, Shipment>();
  private readonly toleranceMin: number;

  constructor(
    private readonly events: JourneyEventsRepository,
    private readonly shipments: ShipmentsService,
    private readonly domainEvents: DomainEvents,
    private readonly sites: JourneySites,
    private readonly store: JourneyStateStore,
    config: JourneysConfig,
  ) {
    this.toleranceMin = config.JOURNEY_ARRIVAL_DELAY_TOLERANCE_MIN;
  }

  onModuleInit(): void {
    this.domainEvents.on('shipment.status-changed', (change) => this.onStatusChange(change));
    this.domainEvents.on('shipments.active-changed', ({ shipmentId }) =>
      shipmentId === undefined ? this.cache.clear() : this.cache.delete(shipmentId),
    );
  }

  /** Acts on one fix's events; updates `state.alerts` in place (the caller stores the state). */
  apply(state: ContainerJourneyState, r: Reading, crossings: GeofenceEvent[], dwells: DwellEvent[]): void {
    let shipment = this.shipmentOf(r.shipmentId);
    for (const e of crossings) {
      this.events.insert({
        containerId: r.containerId,
        ...(shipment && { shipmentId: shipment.id }),
        type: e.type,
        siteId: e.siteId,
        siteKind: e.siteKind,
        at: e.at,
        lat: r.lat,
        lon: r.lon,
      });
      if (shipment) shipment = this.onCrossing(state, shipment, e, r);
    }
    for (const e of dwells) this.onDwell(state, shipment, e, r);
    if (shipment?.status === 'in_transit') this.checkDelay(state, shipment, r);
  }

  private onCrossing(state: ContainerJourneyState, s: Shipment, e: GeofenceEvent, r: Reading): Shipment {
    const alerts = state.alerts;
    if (e.type === 'leave' && e.siteId === s.originSiteId && s.status === 'planned') {
      return this.shipments.advance(s.id, 'planned', 'in_transit', e.at) ?? s;
    }
    if (e.type === 'enter' && e.siteId === s.destinationSiteId && s.status === 'in_transit') {
      const arrived = this.shipments.advance(s.id, 'in_transit', 'arrived', e.at);
      this.clearRoadAlerts(state, s, r.deviceId, e.at, `arrived at ${e.siteId}`);
      return arrived ?? s;
    }
    if (e.type === 'enter' && s.status === 'in_transit' && e.siteId !== s.originSiteId) {
      alerts.unexpectedSiteIds.push(e.siteId);
      const value = alerts.unexpectedSiteIds.length;
      const message = `entered ${e.siteKind} ${e.siteId}, neither the origin ${s.originSiteId} nor the destination ${s.destinationSiteId}`;
      this.emit(r, s, UNEXPECTED_SITE, { kind: 'raise', severity: 'warning', value, message, at: e.at });
    } else if (e.type === 'leave' && alerts.unexpectedSiteIds.includes(e.siteId)) {
      alerts.unexpectedSiteIds = alerts.unexpectedSiteIds.filter((id) => id !== e.siteId);
      if (alerts.unexpectedSiteIds.length === 0) {
        this.emit(r, s, UNEXPECTED_SITE, { kind: 'clear', at: e.at, message: `left ${e.siteId}` });
      }
    }
    return s;
  }

  private onDwell(state: ContainerJourneyState, s: Shipment | undefined, e: DwellEvent, r: Reading): void {
    const shipmentId = s?.id;
    if (e.type === 'site-dwell') {
      this.events.insert({
        containerId: r.containerId,
        ...(shipmentId !== undefined && { shipmentId }),
        type: 'site-dwell',
        siteId: e.siteId,
        siteKind: this.sites.find(e.siteId)?.kind,
        at: e.since,
        until: e.until,
      });
      return;
    }
    if (e.type === 'dwell-exceeded') {
      if (s?.status !== 'in_transit') return;
      state.alerts.dwellSince = e.since;
      const message = `stopped ${minutes(e.durationMs)} min outside any site at ${place(e.lat, e.lon)} since ${iso(e.since)}`;
      this.emit(r, s, DWELL, {
        kind: 'raise',
        severity: 'warning',
        value: minutes(e.durationMs),
        message,
        at: e.at,
      });
      return;
    }
    this.events.insert({
      containerId: r.containerId,
      ...(shipmentId !== undefined && { shipmentId }),
      type: 'stop',
      at: e.since,
      until: e.until,
      lat: e.lat,
      lon: e.lon,
      detail: e.exceeded ? 'exceeded' : undefined,
    });
    if (state.alerts.dwellSince === e.since) {
      delete state.alerts.dwellSince;
      const message = `moved on after ${minutes(e.durationMs)} min at ${place(e.lat, e.lon)}`;
      this.emit(r, s, DWELL, { kind: 'clear', at: e.until, message });
    }
  }

  private checkDelay(state: ContainerJourneyState, s: Shipment, r: Reading): void {
    const destination = this.sites.find(s.destinationSiteId);
    if (!destination || r.lat === undefined || r.lon === undefined) return;
    const origin = this.sites.find(s.originSiteId);
    const plannedArrival = Date.parse(s.plannedArrival);
    const eta = estimateEta({
      position: { lat: r.lat, lon: r.lon },
      ...(origin && { origin }),
      destination,
      plannedArrival,
      recentMovingSpeedKmh: state.motion.movingSpeedKmh,
      motionStatus: state.motion.status,
      lastPositionAt: r.measuredAt,
      nowMs: r.measuredAt,
    });
    if (eta.delayMs === null || eta.etaMs === null) return;
    const delayMin = minutes(eta.delayMs);
    const alerts = state.alerts;
    if (delayMin > this.toleranceMin) {
      if (alerts.delayMin === undefined) {
        alerts.delayMin = delayMin;
        const message = `ETA ${iso(eta.etaMs)} is ${delayMin} min after the planned arrival ${s.plannedArrival} (tolerance ${this.toleranceMin} min; ${eta.basis})`;
        this.emit(r, s, ARRIVAL_DELAY, {
          kind: 'raise',
          severity: 'warning',
          value: delayMin,
          message,
          at: r.measuredAt,
        });
      } else if (delayMin >= alerts.delayMin + DELAY_UPDATE_STEP_MIN) {
        alerts.delayMin = delayMin;
        this.emit(r, s, ARRIVAL_DELAY, {
          kind: 'update',
          severity: 'warning',
          value: delayMin,
          at: r.measuredAt,
        });
      }
    } else if (alerts.delayMin !== undefined) {
      delete alerts.delayMin;
      const message = `ETA ${iso(eta.etaMs)} back within ${this.toleranceMin} min of the planned arrival`;
      this.emit(r, s, ARRIVAL_DELAY, { kind: 'clear', at: r.measuredAt, message });
    }
  }

  /** Arrival or an end by hand: the road's alerts no longer apply. */
  private clearRoadAlerts(
    state: ContainerJourneyState,
    s: Pick<Shipment, 'id' | 'containerId'>,
    deviceId: string | undefined,
    at: number,
    why: string,
  ): void {
    const alerts = state.alerts;
    const base = {
      containerId: s.containerId,
      shipmentId: s.id,
      ...(deviceId !== undefined && { deviceId }),
    };
    if (alerts.delayMin !== undefined) {
      delete alerts.delayMin;
      this.domainEvents.emit('rule.concluded', {
        ...base,
        rule: ARRIVAL_DELAY,
        outcome: { kind: 'clear', at, message: why },
      });
    }
    if (alerts.unexpectedSiteIds.length > 0) {
      alerts.unexpectedSiteIds = [];
      this.domainEvents.emit('rule.concluded', {
        ...base,
        rule: UNEXPECTED_SITE,
        outcome: { kind: 'clear', at, message: why },
      });
    }
  }

  /** Logs every status change; a planner's arrival or cancellation also ends the road's alerts. */
  private onStatusChange(c: ShipmentStatusChange): void {
    this.events.insert({
      containerId: c.containerId,
      shipmentId: c.shipmentId,
      type: 'status',
      at: c.at,
      detail: JSON.stringify({
        from: c.from,
        to: c.to,
        manual: c.manual,
        ...(c.actor && { actor: c.actor }),
      }),
    });
    if (!c.manual || c.from !== 'in_transit') return;
    const state = this.store.get(c.containerId);
    if (!state) return;
    const shipment = { id: c.shipmentId, containerId: c.containerId };
    this.clearRoadAlerts(state, shipment, undefined, c.at, `shipment ${c.to} by ${c.actor ?? 'a planner'}`);
    this.store.set(state);
  }

  private emit(r: Reading, s: Shipment | undefined, rule: JourneyRule, outcome: RuleEvent['outcome']): void {
    this.domainEvents.emit('rule.concluded', {
      containerId: r.containerId,
      ...(s && { shipmentId: s.id }),
      deviceId: r.deviceId,
      rule,
      outcome,
    });
  }

  /**
   * The reading's shipment, cached until it changes (ActiveShipments.onChange). From memory: a
   * reading carries the id of its container's active shipment, which ShipmentsService holds.
   */
  private shipmentOf(id: string | undefined): Shipment | undefined {
    if (id === undefined) return undefined;
    let s = this.cache.get(id);
    if (!s) {
      s = this.shipments.activeShipment(id);
      if (s) this.cache.set(id, s);
    }
    return s;
  }
}
