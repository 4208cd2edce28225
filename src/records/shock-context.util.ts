import type { Site } from '#src/shipments/geo/geofence.types.js';
import { isInsideGeofence } from '#src/shipments/geo/geofence-geometry.util.js';
import type { RecordLeg, RecordReading, ShockRecord } from './record.types.js';

/**
 * Shocks over the limit, each with where it happened and on whose watch: position of the reading
 * (or of the last fix before it, with that fix's time), the leg running at that moment and its
 * carrier, and the site whose geofence holds the position. A reading equal to the limit is not a
 * shock. `readings` ascending.
 */
export function findShocks(
  readings: readonly RecordReading[],
  limitG: number | undefined,
  legs: readonly RecordLeg[],
  sites: readonly Site[],
): ShockRecord[] {
  if (limitG === undefined) return [];
  const shocks: ShockRecord[] = [];
  let lastFix: { lat: number; lon: number; at: number } | undefined;
  for (const r of readings) {
    if (isFinite(r.lat) && isFinite(r.lon)) lastFix = { lat: r.lat, lon: r.lon, at: r.measuredAt };
    if (r.shockG === undefined || !(r.shockG > limitG)) continue;
    const leg = legAt(legs, r.measuredAt);
    const site = lastFix
      ? sites.find((s) => isInsideGeofence(s, lastFix as { lat: number; lon: number }))
      : undefined;
    shocks.push({
      peakG: r.shockG,
      at: new Date(r.measuredAt).toISOString(),
      lat: lastFix?.lat ?? null,
      lon: lastFix?.lon ?? null,
      positionAt: lastFix ? new Date(lastFix.at).toISOString() : null,
      legId: leg?.id ?? null,
      siteId: site?.id ?? null,
      carrier: leg?.carrier ?? null,
    });
  }
  return shocks;
}

/** The leg under way at `t`: started at or before `t`, not yet ended (end exclusive). */
export function legAt(legs: readonly RecordLeg[], t: number): RecordLeg | undefined {
  return legs.find((leg) => leg.startAt <= t && (leg.endAt === undefined || t < leg.endAt));
}

function isFinite(x: number | undefined): x is number {
  return typeof x === 'number' && Number.isFinite(x);
}
