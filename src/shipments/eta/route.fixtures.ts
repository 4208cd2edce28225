import type { GeoPoint } from '#src/shipments/geo/geofence.types.js';
import { jitter, LYON_DEPOT, PARIS_HYPERMARKET, seededRandom } from '#src/shipments/geo/geo.fixtures.js';
import { destinationPoint, distanceM, initialBearingDeg } from '#src/shipments/geo/great-circle.util.js';
import type { Fix } from './motion.tracker.js';

/** A simulated truck for the journey specs: real places, steady speed, stops, GPS jitter. */

/** Lyon depot → A6 (Mâcon, Beaune rest area, Auxerre) → Thiais hypermarket. */
export const A6_ROUTE: GeoPoint[] = [
  LYON_DEPOT,
  { lat: 46.3069, lon: 4.8283 },
  { lat: 47.0261, lon: 4.84 },
  { lat: 47.7982, lon: 3.5673 },
  PARIS_HYPERMARKET,
];

export const BEAUNE_REST_AREA: GeoPoint = A6_ROUTE[2];

export interface Leg {
  /** Drive along the route at this speed, km/h, until `untilKm` from the start (or the end). */
  speedKmh: number;
  untilKm?: number;
  /** Then stay put for this long, ms. */
  stopMs?: number;
}

export function routeLengthM(route: GeoPoint[]): number {
  return route.slice(1).reduce((sum, p, i) => sum + distanceM(route[i], p), 0);
}

/** The point `alongM` metres along the polyline (great-circle segments). */
export function pointAlong(route: GeoPoint[], alongM: number): GeoPoint {
  let left = alongM;
  for (let i = 1; i < route.length; i++) {
    const seg = distanceM(route[i - 1], route[i]);
    if (left <= seg) return destinationPoint(route[i - 1], initialBearingDeg(route[i - 1], route[i]), left);
    left -= seg;
  }
  return route[route.length - 1];
}

/** Fixes every `stepMs` from `startMs`, with ±`jitterM` noise, following `legs`; ends at the route's end. */
export function simulateTrip(
  route: GeoPoint[],
  legs: Leg[],
  startMs: number,
  stepMs: number,
  jitterM = 20,
  seed = 1,
): { fixes: Fix[]; arrivalMs: number } {
  const random = seededRandom(seed);
  const total = routeLengthM(route);
  const fixes: Fix[] = [];
  let t = startMs;
  let along = 0;
  const emit = (): void => {
    fixes.push({ ...jitter(pointAlong(route, along), jitterM, random), at: t });
  };
  for (const leg of legs) {
    const until = Math.min(total, (leg.untilKm ?? Infinity) * 1000);
    const stepM = (leg.speedKmh / 3.6) * (stepMs / 1000);
    while (along < until) {
      along = Math.min(until, along + stepM);
      t += stepMs;
      emit();
    }
    for (let waited = 0; waited < (leg.stopMs ?? 0); waited += stepMs) {
      t += stepMs;
      emit();
    }
  }
  return { fixes, arrivalMs: fixes.find((f) => distanceM(f, route[route.length - 1]) < 100)?.at ?? t };
}
