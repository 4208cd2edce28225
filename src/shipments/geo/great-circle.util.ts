import type { GeoPoint } from './geofence.types.js';

/**
 * Great-circle maths on a sphere of the IUGG mean Earth radius R1 = 6,371,008.8 m.
 *
 * Accuracy: against the WGS84 ellipsoid (Vincenty / Karney), the spherical model errs by at most
 * about 0.55 % of the distance, depending on latitude and azimuth; measured 0.064 % (257 m) from
 * the Saint-Quentin-Fallavier depot to Thiais (404 km), so ~20 cm on a 300 m geofence radius here.
 * That is far below GPS and road-detour uncertainty, and haversine stays well conditioned for short
 * distances, where the spherical law of cosines does not.
 */
export const EARTH_RADIUS_M = 6_371_008.8;

const RAD = Math.PI / 180;

/** Great-circle distance between two points, metres (haversine). */
export function distanceM(a: GeoPoint, b: GeoPoint): number {
  return EARTH_RADIUS_M * angularDistance(a, b);
}

/** Central angle between two points, radians. */
export function angularDistance(a: GeoPoint, b: GeoPoint): number {
  const dLat = (b.lat - a.lat) * RAD;
  const dLon = (b.lon - a.lon) * RAD;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * RAD) * Math.cos(b.lat * RAD) * Math.sin(dLon / 2) ** 2;
  // min() guards against h creeping past 1 by rounding for antipodal points.
  return 2 * Math.asin(Math.sqrt(Math.min(1, h)));
}

/** Initial bearing (forward azimuth) from `a` towards `b`, degrees clockwise from true north, [0, 360). */
export function initialBearingDeg(a: GeoPoint, b: GeoPoint): number {
  const phi1 = a.lat * RAD;
  const phi2 = b.lat * RAD;
  const dlam = (b.lon - a.lon) * RAD;
  const y = Math.sin(dlam) * Math.cos(phi2);
  const x = Math.cos(phi1) * Math.sin(phi2) - Math.sin(phi1) * Math.cos(phi2) * Math.cos(dlam);
  const deg = Math.atan2(y, x) / RAD;
  return (deg + 360) % 360;
}

/** The point reached from `start` after `distM` metres on the initial bearing `bearingDeg`. */
export function destinationPoint(start: GeoPoint, bearingDeg: number, distM: number): GeoPoint {
  const d = distM / EARTH_RADIUS_M;
  const th = bearingDeg * RAD;
  const phi1 = start.lat * RAD;
  const lam1 = start.lon * RAD;
  const sinphi2 = Math.sin(phi1) * Math.cos(d) + Math.cos(phi1) * Math.sin(d) * Math.cos(th);
  const phi2 = Math.asin(sinphi2);
  const lam2 =
    lam1 + Math.atan2(Math.sin(th) * Math.sin(d) * Math.cos(phi1), Math.cos(d) - Math.sin(phi1) * sinphi2);
  return { lat: phi2 / RAD, lon: normalizeLonDeg(lam2 / RAD) };
}

/**
 * Shortest distance from `p` to the great-circle arc from `a` to `b`, metres: the cross-track
 * distance when the foot of the perpendicular falls on the arc, else the distance to the nearer end.
 */
export function distanceToArcM(p: GeoPoint, a: GeoPoint, b: GeoPoint): number {
  const dab = angularDistance(a, b);
  const dap = angularDistance(a, p);
  if (dab === 0) return EARTH_RADIUS_M * dap;
  const thap = initialBearingDeg(a, p) * RAD;
  const thab = initialBearingDeg(a, b) * RAD;
  const dxt = Math.asin(Math.max(-1, Math.min(1, Math.sin(dap) * Math.sin(thap - thab))));
  // Along-track angle of the foot of the perpendicular, signed: negative means behind `a`.
  const cosXt = Math.cos(dxt);
  const dat = cosXt === 0 ? 0 : Math.acos(Math.max(-1, Math.min(1, Math.cos(dap) / cosXt)));
  const along = Math.cos(thap - thab) >= 0 ? dat : -dat;
  if (along <= 0) return EARTH_RADIUS_M * dap;
  if (along >= dab) return distanceM(p, b);
  return EARTH_RADIUS_M * Math.abs(dxt);
}

/** Longitude brought into [-180, 180). */
export function normalizeLonDeg(lon: number): number {
  return ((((lon + 180) % 360) + 360) % 360) - 180;
}
