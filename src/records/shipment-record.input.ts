import type { Alert } from '#src/alerts/alert.types.js';
import type { Site as FleetSite } from '#src/fleet/fleet.types.js';
import type { StoredProfile } from '#src/profiles/profiles.repository.js';
import type { ShipmentRecordInput } from '#src/records/record.types.js';
import type { Site } from '#src/shipments/geo/geofence.types.js';
import type { Shipment } from '#src/shipments/shipment.types.js';
import type { HistoryRow } from '#src/telemetry/telemetry.ports.js';

/**
 * What the record builder needs and convoi does not store yet; stated in every export so an
 * inspector knows what the disposition rests on.
 */
export const RECORD_ASSUMPTIONS = [
  'excursion beyond the tolerated time calls for inspection (profiles do not store an excursion action yet)',
  'fragile only for the `fragile` profile',
  'one leg, origin to destination, from departure to arrival (legs are not stored yet)',
];

/** Builds the compliance-record input of a shipment from what the stores hold. */
export function shipmentRecordInput(args: {
  shipment: Shipment;
  profile: StoredProfile;
  sites: readonly FleetSite[];
  readings: readonly HistoryRow[];
  alerts: readonly Alert[];
  nowMs: number;
}): ShipmentRecordInput {
  const { shipment: s, profile, nowMs } = args;
  const o = s.overrides ?? {};
  const from = Date.parse(s.departedAt ?? s.plannedDeparture);
  const endAt = s.arrivedAt ?? s.closedAt ?? s.cancelledAt;
  const to = endAt === undefined ? nowMs : Date.parse(endAt);
  return {
    shipmentId: s.id,
    containerId: s.containerId,
    period: { from, to },
    readings: args.readings.map((r) => ({
      measuredAt: r.measuredAt,
      temperatureC: r.temperatureC,
      shockG: r.shockG,
      lat: r.lat,
      lon: r.lon,
    })),
    profile: {
      id: profile.id,
      minC: o.temperature?.minC ?? profile.temperature.minC,
      maxC: o.temperature?.maxC ?? profile.temperature.maxC,
      toleratedExcursionMin: o.toleratedExcursion?.cumulativeMin ?? profile.toleratedExcursion.cumulativeMin,
      excursionAction: 'inspect',
      shockLimitG: o.shockLimitG ?? profile.shockLimitG,
      fragile: profile.id === 'fragile',
      expectedIntervalMs: (o.expectedIntervalS ?? profile.expectedIntervalS) * 1000,
    },
    legs: [
      {
        id: `${s.id}-leg-1`,
        fromSiteId: s.originSiteId,
        toSiteId: s.destinationSiteId,
        carrier: s.carrier ?? '',
        startAt: from,
        ...(endAt !== undefined && { endAt: to }),
      },
    ],
    sites: args.sites.map((site): Site => ({
      id: site.id,
      kind: site.kind,
      lat: site.lat,
      lon: site.lon,
      geofence: site.geofence,
    })),
    alerts: args.alerts.map((a) => ({
      alertId: a.id,
      rule: a.ruleId,
      severity: a.severity,
      openedAt: a.openedAt,
      ...(a.clearedAt !== undefined && { clearedAt: a.clearedAt }),
      ...(a.peakValue !== undefined && { peakValue: a.peakValue }),
      message: a.message,
    })),
    generatedAt: nowMs,
  };
}
