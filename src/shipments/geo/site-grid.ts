import type { GeoPoint, Site } from './geofence.types.js';
import { EARTH_RADIUS_M, normalizeLonDeg } from './great-circle.util.js';

/** Cell size, degrees of latitude and of longitude (~11 km north-south). */
const CELL_DEG = 0.1;
const LAT_CELLS = 180 / CELL_DEG;
const LON_CELLS = 360 / CELL_DEG;
/** A site whose box is wider or taller than this, degrees, is looked at on every fix instead. */
const MAX_BOX_DEG = 2;
/** Likewise a site whose box reaches this latitude (cells shrink towards the poles). */
const MAX_BOX_LAT = 80;
/** Margin on a circle's box: the bound from metres to degrees of longitude is tight, not exact. */
const CIRCLE_MARGIN = 1.05;
/**
 * Margin on every box, degrees (~1 m): the geometry puts a point on a polygon's boundary
 * (distance 0, which counts as inside) up to ~0.1 m beyond it, since the along-track angle of
 * an edge comes from an acos near 1.
 */
const EDGE_DEG = 1e-5;
const DEG = 180 / Math.PI;

type Box = { south: number; north: number; west: number; east: number };

/**
 * The sites bucketed by cells of {@link CELL_DEG}°, so that a fix is measured against the sites
 * near it instead of every site: the journey's geofence scan was linear, ~0.5 ms a fix with 500
 * sites (half of them polygons) and ~7 ms with 5,000, where a chain has thousands of sites.
 *
 * A site is put in every cell its geofence's box touches. A circle's box follows from its radius:
 * a point within r metres of the centre is within r/R radians of its latitude, and within about
 * r/(R cos φ) of its longitude at the box's highest latitude φ. A polygon's is the box of its
 * outer ring, since a point its crossing test puts inside lies between its vertices' latitudes
 * and longitudes. A site whose geofence contains no point is in no cell; one too large or too
 * near a pole for cells is a candidate everywhere.
 */
export class SiteGrid {
  private readonly cells = new Map<number, number[]>();
  private readonly everywhere: number[] = [];
  private readonly indexById = new Map<string, number>();

  constructor(readonly sites: readonly Site[]) {
    sites.forEach((site, i) => {
      this.indexById.set(site.id, i);
      const box = boxOf(site);
      if (box === 'everywhere') this.everywhere.push(i);
      else if (box !== undefined) this.fill(box, i);
    });
  }

  /**
   * Indexes into {@link sites}, ascending, of every site whose geofence may contain `p`, and of
   * the sites named in `members` (those a container has a membership in, which it may be
   * leaving). `p` is outside every other site.
   */
  candidates(p: GeoPoint, members: Readonly<Record<string, unknown>>): readonly number[] {
    const near = this.cells.get(cellKey(latCell(p.lat), lonCell(normalizeLonDeg(p.lon)))) ?? [];
    let extra: number[] | undefined;
    for (const id in members) {
      const i = this.indexById.get(id);
      if (i !== undefined) (extra ??= []).push(i);
    }
    if (extra === undefined && this.everywhere.length === 0) return near;
    const all = [...near, ...this.everywhere, ...(extra ?? [])].sort((a, b) => a - b);
    return all.filter((i, k) => k === 0 || all[k - 1] !== i);
  }

  private fill(box: Box, site: number): void {
    const [south, north] = [latCell(box.south - EDGE_DEG), latCell(box.north + EDGE_DEG)];
    const [west, east] = [lonCell(box.west - EDGE_DEG), lonCell(box.east + EDGE_DEG)];
    for (let y = Math.max(0, south); y <= Math.min(LAT_CELLS - 1, north); y++) {
      for (let x = west; x <= east; x++) {
        const key = cellKey(y, x);
        const list = this.cells.get(key);
        // Sites are added in index order, so each cell's list is ascending.
        if (list === undefined) this.cells.set(key, [site]);
        else list.push(site);
      }
    }
  }
}

function latCell(lat: number): number {
  return Math.floor((lat + 90) / CELL_DEG);
}

/** The cell column of a longitude, not wrapped (a box may run past ±180°). */
function lonCell(lon: number): number {
  return Math.floor((lon + 180) / CELL_DEG);
}

function cellKey(y: number, x: number): number {
  return y * LON_CELLS + (((x % LON_CELLS) + LON_CELLS) % LON_CELLS);
}

/** The box a site's geofence lies in; undefined when it contains no point. */
function boxOf(site: Site): Box | 'everywhere' | undefined {
  const box = site.geofence.type === 'circle' ? circleBox(site, site.geofence.radiusM) : ringBox(site);
  if (box === undefined || box === 'everywhere') return box;
  const tooLarge = box.north - box.south > MAX_BOX_DEG || box.east - box.west > MAX_BOX_DEG;
  return tooLarge || Math.max(-box.south, box.north) >= MAX_BOX_LAT ? 'everywhere' : box;
}

function circleBox(centre: GeoPoint, radiusM: number): Box | 'everywhere' | undefined {
  if (!Number.isFinite(centre.lat) || !Number.isFinite(centre.lon) || Number.isNaN(radiusM)) return undefined;
  if (radiusM === Infinity) return 'everywhere';
  const dLat = (Math.max(0, radiusM) / EARTH_RADIUS_M) * DEG * CIRCLE_MARGIN;
  const highest = Math.abs(centre.lat) + dLat;
  if (highest >= MAX_BOX_LAT) return 'everywhere';
  const dLon = dLat / Math.cos(highest / DEG);
  return {
    south: centre.lat - dLat,
    north: centre.lat + dLat,
    west: centre.lon - dLon,
    east: centre.lon + dLon,
  };
}

/** The outer ring's box, its longitudes unwrapped from its first vertex. */
function ringBox(site: Site): Box | 'everywhere' | undefined {
  if (site.geofence.type !== 'polygon') return undefined;
  const vertices = (site.geofence.coordinates[0] ?? []).filter(
    (pos) => Number.isFinite(pos[0]) && Number.isFinite(pos[1]),
  );
  const [first, last] = [vertices[0], vertices[vertices.length - 1]];
  const closed = vertices.length > 1 && first[0] === last[0] && first[1] === last[1];
  // Fewer than three usable vertices, the closing repeat aside: the geometry finds no inside.
  if (vertices.length - (closed ? 1 : 0) < 3) return undefined;
  const [lon0] = first;
  const box: Box = { south: Infinity, north: -Infinity, west: Infinity, east: -Infinity };
  for (const [lon, lat] of vertices) {
    const unwrapped = lon0 + normalizeLonDeg(lon - lon0);
    box.south = Math.min(box.south, lat);
    box.north = Math.max(box.north, lat);
    box.west = Math.min(box.west, unwrapped);
    box.east = Math.max(box.east, unwrapped);
  }
  // Unwrapped from the first vertex, a ring may look 180° wide or more where the containment
  // test sees it narrower: then it is simply looked at everywhere.
  return box.east - box.west >= 180 ? 'everywhere' : box;
}
