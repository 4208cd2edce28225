import type { GeoPoint, Geofence, PolygonGeofence, Site } from './geofence.types.js';
import { distanceM, distanceToArcM, normalizeLonDeg } from './great-circle.util.js';

/**
 * Geofence containment and boundary distance on real coordinates.
 *
 * Circle: great-circle distance to the centre against the radius (exact on the sphere).
 *
 * Polygon containment: crossing-number test in a local frame centred on the tested point, with
 * every vertex's longitude unwrapped to within ±180° of the point. Edges are straight lines in
 * lon/lat, which is what RFC 7946 §3.1.1 says a GeoJSON edge is, so the answer matches any
 * conforming GIS, and it stays right across the antimeridian. Limits: a ring must span less than
 * 180° of longitude and must not enclose a pole (no site does).
 *
 * Polygon boundary distance: the shortest great-circle distance to any edge of any ring, treating
 * the edge as a great-circle arc. A straight lon/lat edge and the great-circle arc between the same
 * vertices differ by about L² · tan(lat) / (8 R): 2 cm for a 1 km edge at 45° N, 2 m for 10 km,
 * so site-sized polygons are exact to well below GPS accuracy.
 */

/** True when `p` is inside the site's geofence (a point on the boundary counts as inside). */
export function isInsideGeofence(site: Site, p: GeoPoint): boolean {
  return signedBoundaryDistanceM(site, p) <= 0;
}

/**
 * Distance from `p` to the site's geofence boundary, metres: negative inside, positive outside.
 * `Infinity` for a polygon without a usable outer ring (fewer than three vertices).
 */
export function signedBoundaryDistanceM(site: Site, p: GeoPoint): number {
  return signedDistanceToGeofenceM(site, site.geofence, p);
}

export function signedDistanceToGeofenceM(centre: GeoPoint, geofence: Geofence, p: GeoPoint): number {
  if (geofence.type === 'circle') return distanceM(centre, p) - geofence.radiusM;
  return signedDistanceToPolygonM(geofence, p);
}

function signedDistanceToPolygonM(polygon: PolygonGeofence, p: GeoPoint): number {
  const outer = toRing(polygon.coordinates[0] ?? []);
  if (outer.length < 3) return Infinity;
  const holes = polygon.coordinates
    .slice(1)
    .map(toRing)
    .filter((ring) => ring.length >= 3);
  const inside = ringContains(outer, p) && !holes.some((hole) => ringContains(hole, p));
  const rings = [outer, ...holes];
  let nearest = Infinity;
  for (const ring of rings) {
    for (let i = 0; i < ring.length; i++) {
      const a = ring[i];
      const b = ring[(i + 1) % ring.length];
      nearest = Math.min(nearest, distanceToArcM(p, a, b));
    }
  }
  return inside ? -nearest : nearest;
}

/** GeoJSON positions `[lon, lat, alt?]` to points, dropping malformed ones and the closing repeat. */
function toRing(positions: number[][]): GeoPoint[] {
  const ring: GeoPoint[] = [];
  for (const pos of positions) {
    const [lon, lat] = pos;
    if (
      typeof lon !== 'number' ||
      typeof lat !== 'number' ||
      !Number.isFinite(lon) ||
      !Number.isFinite(lat)
    ) {
      continue;
    }
    ring.push({ lat, lon });
  }
  const first = ring[0];
  const last = ring[ring.length - 1];
  if (ring.length > 1 && first.lat === last.lat && first.lon === last.lon) ring.pop();
  return ring;
}

/**
 * Crossing-number test; x is the longitude offset from `p` unwrapped into [-180, 180). A ring
 * whose offsets span 180° or more lies across `p`'s antimeridian: `p` is on the far side of the
 * globe (a ring spans less than 180°), and its edges, unwrapped there, would run the long way
 * round and could enclose the point's mirror image.
 */
function ringContains(ring: GeoPoint[], p: GeoPoint): boolean {
  let inside = false;
  let west = Infinity;
  let east = -Infinity;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const xi = normalizeLonDeg(ring[i].lon - p.lon);
    const yi = ring[i].lat - p.lat;
    const xj = normalizeLonDeg(ring[j].lon - p.lon);
    const yj = ring[j].lat - p.lat;
    west = Math.min(west, xi);
    east = Math.max(east, xi);
    // Half-open rule (yi > 0) !== (yj > 0) counts a vertex exactly on the ray once.
    if (yi > 0 !== yj > 0) {
      const xCross = xi + ((0 - yi) * (xj - xi)) / (yj - yi);
      if (xCross > 0) inside = !inside;
    }
  }
  return inside && east - west < 180;
}
