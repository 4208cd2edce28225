import { registerDecorator, type ValidationOptions } from 'class-validator';

/** Bounds of a geofence polygon: generous for a site outline, small enough to test cheaply. */
export const POLYGON_MAX_RINGS = 20;
export const POLYGON_MAX_POSITIONS = 5000;

/**
 * Why `value` is not a GeoJSON Polygon's coordinates (RFC 7946 §3.1.6), or undefined when it is:
 * 1. an array of 1–20 linear rings, the first the outline, the others holes;
 * 2. each ring at least 4 positions, first and last identical (closed);
 * 3. each position `[lon, lat]` or `[lon, lat, alt]`, finite numbers, lon −180…180, lat −90…90;
 * 4. at most 5000 positions in all.
 */
export function polygonProblem(value: unknown): string | undefined {
  if (!Array.isArray(value) || value.length === 0) return 'must be a non-empty array of rings';
  if (value.length > POLYGON_MAX_RINGS) return `may have at most ${POLYGON_MAX_RINGS} rings`;
  let total = 0;
  for (const [r, ring] of value.entries()) {
    if (!Array.isArray(ring) || ring.length < 4) return `ring ${r} must have at least 4 positions`;
    total += ring.length;
    if (total > POLYGON_MAX_POSITIONS) return `may have at most ${POLYGON_MAX_POSITIONS} positions`;
    for (const [p, pos] of ring.entries()) {
      const problem = positionProblem(pos);
      if (problem) return `ring ${r} position ${p} ${problem}`;
    }
    const first = ring[0] as number[];
    const last = ring[ring.length - 1] as number[];
    if (first[0] !== last[0] || first[1] !== last[1])
      return `ring ${r} is not closed (last position must equal the first)`;
  }
  return undefined;
}

function positionProblem(pos: unknown): string | undefined {
  if (!Array.isArray(pos) || pos.length < 2 || pos.length > 3) return 'must be [lon, lat] or [lon, lat, alt]';
  if (!pos.every((n) => typeof n === 'number' && Number.isFinite(n))) return 'must hold finite numbers';
  const [lon, lat] = pos as number[];
  if (lon < -180 || lon > 180) return 'has a longitude outside −180…180';
  if (lat < -90 || lat > 90) return 'has a latitude outside −90…90';
  return undefined;
}

/** Validates GeoJSON Polygon coordinates (see {@link polygonProblem}). */
export function IsGeoJsonPolygon(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isGeoJsonPolygon',
      target: target.constructor,
      propertyName: propertyName as string,
      options,
      validator: {
        validate: (value: unknown) => polygonProblem(value) === undefined,
        defaultMessage: (args) =>
          `${args?.property ?? 'coordinates'} ${polygonProblem(args?.value) ?? 'is invalid'}`,
      },
    });
}
