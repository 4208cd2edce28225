import type { GeoPoint, Site } from './geofence.types.js';
import { destinationPoint } from './great-circle.util.js';

/** Shared real-world places for the journey specs (coordinates approximate, public maps). */

/** A logistics depot at Saint-Quentin-Fallavier, east of Lyon. */
export const LYON_DEPOT: GeoPoint = { lat: 45.6418, lon: 5.1135 };

/** A hypermarket at Thiais (Belle Épine), south of Paris. */
export const PARIS_HYPERMARKET: GeoPoint = { lat: 48.7597, lon: 2.3667 };

/** WGS84 ellipsoidal (Vincenty) distance LYON_DEPOT → PARIS_HYPERMARKET, metres. */
export const LYON_PARIS_ELLIPSOIDAL_M = 404_249.5;

/** A GeoJSON ring `[lon, lat]` of a rectangle `widthM` × `heightM` centred on `centre`, closed. */
export function rectangleRing(centre: GeoPoint, widthM: number, heightM: number): number[][] {
  const north = destinationPoint(centre, 0, heightM / 2).lat;
  const south = destinationPoint(centre, 180, heightM / 2).lat;
  const east = destinationPoint(centre, 90, widthM / 2).lon;
  const west = destinationPoint(centre, 270, widthM / 2).lon;
  return [
    [west, south],
    [east, south],
    [east, north],
    [west, north],
    [west, south],
  ];
}

export function circleSite(
  id: string,
  centre: GeoPoint,
  radiusM: number,
  kind: Site['kind'] = 'warehouse',
): Site {
  return { id, kind, ...centre, geofence: { type: 'circle', radiusM } };
}

/** Deterministic PRNG (mulberry32), so jitter specs replay the same positions. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `point` moved by a random offset uniformly distributed in a disc of `radiusM`. */
export function jitter(point: GeoPoint, radiusM: number, random: () => number): GeoPoint {
  return destinationPoint(point, random() * 360, radiusM * Math.sqrt(random()));
}
