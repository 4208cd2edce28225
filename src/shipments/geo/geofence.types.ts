/**
 * Sites and their geofences, as the journey logic sees them (ARCHITECTURE.md §6, issue 7).
 * Coordinates are WGS84 degrees; distances are metres.
 */

/** A position on the Earth, WGS84 degrees. */
export interface GeoPoint {
  lat: number;
  lon: number;
}

export type SiteKind = 'warehouse' | 'hub' | 'hypermarket' | 'supermarket';

/** A circle around the site's reference point. */
export interface CircleGeofence {
  type: 'circle';
  /** Radius, metres, > 0. */
  radiusM: number;
}

/**
 * A GeoJSON Polygon (RFC 7946 §3.1.6): the first ring is the outer boundary, the others are holes.
 * Positions are `[lon, lat]`; a ring's last position may repeat its first (closed) or not.
 */
export interface PolygonGeofence {
  type: 'polygon';
  coordinates: number[][][];
}

export type Geofence = CircleGeofence | PolygonGeofence;

export interface Site {
  id: string;
  kind: SiteKind;
  /** Reference point (the circle's centre; for a polygon, any point used for display). */
  lat: number;
  lon: number;
  geofence: Geofence;
}
