import type { Site } from '#src/shipments/geo/geofence.types.js';
import type { RecordProfileLimits, RecordReading, ShipmentRecordInput } from './record.types.js';

/** Hand-made shipments for the record specs: 5-minute readings from 08:00 UTC. */

export const MIN = 60_000;
export const T0 = Date.UTC(2026, 10, 23, 8, 0, 0);
export const at = (minutes: number): number => T0 + minutes * MIN;

/** Chilled 2–8 °C, 30 min tolerated, reject beyond; shocks over 5 g noted. */
export const CHILLED: RecordProfileLimits = {
  id: 'chilled-8',
  minC: 2,
  maxC: 8,
  toleratedExcursionMin: 30,
  excursionAction: 'reject',
  shockLimitG: 5,
  fragile: false,
  expectedIntervalMs: 5 * MIN,
};

export const HYPERMARKET: Site = {
  id: 'thiais',
  kind: 'hypermarket',
  lat: 48.7597,
  lon: 2.3667,
  geofence: { type: 'circle', radiusM: 300 },
};

/** Readings every 5 min over [0, durationMin], temperature from `temperatureAt(minute)`. */
export function regularSeries(
  durationMin: number,
  temperatureAt: (minute: number) => number,
): RecordReading[] {
  const readings: RecordReading[] = [];
  for (let m = 0; m <= durationMin; m += 5)
    readings.push({ measuredAt: at(m), temperatureC: temperatureAt(m) });
  return readings;
}

export function recordInput(
  readings: RecordReading[],
  durationMin: number,
  profile: RecordProfileLimits = CHILLED,
): ShipmentRecordInput {
  return {
    shipmentId: 'SHP-1',
    containerId: 'RC-0042',
    period: { from: T0, to: at(durationMin) },
    readings,
    profile,
    legs: [
      {
        id: 'leg-1',
        fromSiteId: 'sqf-depot',
        toSiteId: 'rungis-hub',
        carrier: 'Transports Alpha',
        startAt: T0,
        endAt: at(150),
      },
      {
        id: 'leg-2',
        fromSiteId: 'rungis-hub',
        toSiteId: 'thiais',
        carrier: 'Beta Logistique',
        startAt: at(150),
      },
    ],
    sites: [HYPERMARKET],
    alerts: [],
    generatedAt: at(durationMin + 10),
  };
}
