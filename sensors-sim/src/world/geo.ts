/** A point on the WGS84 ellipsoid, degrees, with an altitude in metres. */
export interface GeoPoint {
  lat: number;
  lon: number;
  altM: number;
}

const EARTH_RADIUS_KM = 6371.0088;

/** Great-circle distance in kilometres. */
export function haversineKm(a: Pick<GeoPoint, 'lat' | 'lon'>, b: Pick<GeoPoint, 'lat' | 'lon'>): number {
  const toRad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * toRad;
  const dLon = (b.lon - a.lon) * toRad;
  const h =
    Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * toRad) * Math.cos(b.lat * toRad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Linear interpolation between two points; fine at the scale of one road segment. */
export function interpolate(a: GeoPoint, b: GeoPoint, fraction: number): GeoPoint {
  return {
    lat: a.lat + (b.lat - a.lat) * fraction,
    lon: a.lon + (b.lon - a.lon) * fraction,
    altM: a.altM + (b.altM - a.altM) * fraction,
  };
}

/** Moves a point by metres north and east (small offsets: GPS jitter, dock positions). */
export function offsetMetres(p: GeoPoint, northM: number, eastM: number): GeoPoint {
  const dLat = northM / 111_320;
  const dLon = eastM / (111_320 * Math.cos((p.lat * Math.PI) / 180));
  return { lat: p.lat + dLat, lon: p.lon + dLon, altM: p.altM };
}

/** A polyline with cumulative distances, for "where am I after d km". */
export class Polyline {
  readonly totalKm: number;
  private readonly cumulativeKm: number[];

  constructor(readonly points: readonly GeoPoint[]) {
    this.cumulativeKm = [0];
    for (let i = 1; i < points.length; i++) {
      this.cumulativeKm.push(this.cumulativeKm[i - 1] + haversineKm(points[i - 1], points[i]));
    }
    this.totalKm = this.cumulativeKm[this.cumulativeKm.length - 1];
  }

  at(km: number): GeoPoint {
    if (km <= 0) return this.points[0];
    if (km >= this.totalKm) return this.points[this.points.length - 1];
    let lo = 0;
    let hi = this.cumulativeKm.length - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (this.cumulativeKm[mid] <= km) lo = mid;
      else hi = mid;
    }
    const span = this.cumulativeKm[hi] - this.cumulativeKm[lo];
    return interpolate(
      this.points[lo],
      this.points[hi],
      span === 0 ? 0 : (km - this.cumulativeKm[lo]) / span,
    );
  }
}
