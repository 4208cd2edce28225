import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { GeoPoint, Site } from './geofence.types.js';
import { circleSite } from './geo.fixtures.js';
import { signedBoundaryDistanceM } from './geofence-geometry.util.js';
import { GeofenceTracker, type GeofenceTrackerState } from './geofence.tracker.js';
import { normalizeLonDeg } from './great-circle.util.js';
import { SiteGrid } from './site-grid.js';

const lat = fc.double({ min: -89, max: 89, noNaN: true });
const lon = fc.double({ min: -180, max: 180, noNaN: true, maxExcluded: true });
/** Offsets from a site's centre: metres to tens of kilometres, across ±180° and cell edges. */
const offset = fc.oneof(
  fc.double({ min: -0.01, max: 0.01, noNaN: true }),
  fc.double({ min: -1, max: 1, noNaN: true }),
);

const circle = fc
  .record({
    lat,
    lon,
    radiusM: fc.oneof(fc.double({ min: 1, max: 2000 }), fc.double({ min: 0, max: 300_000 })),
  })
  .map(({ lat, lon, radiusM }) => ({ lat, lon, geofence: { type: 'circle' as const, radiusM } }));

const polygon = fc
  .record({
    lat,
    lon,
    vertices: fc.array(fc.tuple(offset, offset), { minLength: 3, maxLength: 7 }),
    closed: fc.boolean(),
  })
  .map(({ lat, lon, vertices, closed }) => {
    const ring = vertices.map(([dLon, dLat]) => [
      normalizeLonDeg(lon + dLon),
      Math.max(-90, Math.min(90, lat + dLat)),
    ]);
    if (closed) ring.push([...ring[0]]);
    return { lat, lon, geofence: { type: 'polygon' as const, coordinates: [ring] } };
  });

const sites: fc.Arbitrary<Site[]> = fc
  .array(fc.oneof(circle, polygon), { minLength: 1, maxLength: 12 })
  .map((shapes) => shapes.map((shape, i) => ({ id: `S${i}`, kind: 'hub' as const, ...shape })));

/** Points on and around the sites (their centres, their vertices, near them) and anywhere. */
function pointsNear(list: readonly Site[]): fc.Arbitrary<GeoPoint> {
  const anchors: GeoPoint[] = list.flatMap((s) =>
    s.geofence.type === 'circle'
      ? [{ lat: s.lat, lon: s.lon }]
      : [{ lat: s.lat, lon: s.lon }, ...s.geofence.coordinates[0].map(([lon, lat]) => ({ lat, lon }))],
  );
  const near = fc.tuple(fc.constantFrom(...anchors), offset, offset).map(([a, dLat, dLon]) => ({
    lat: Math.max(-90, Math.min(90, a.lat + dLat)),
    lon: normalizeLonDeg(a.lon + dLon),
  }));
  return fc.oneof(fc.constantFrom(...anchors), near, fc.record({ lat, lon }));
}

void describe(SiteGrid.name, () => {
  void it('names every site whose geofence contains the point', () => {
    fc.assert(
      fc.property(
        sites.chain((list) => fc.tuple(fc.constant(list), pointsNear(list))),
        ([list, p]) => {
          const candidates = new Set(new SiteGrid(list).candidates(p, {}));
          for (const [i, site] of list.entries())
            if (signedBoundaryDistanceM(site, p) <= 0)
              assert.ok(candidates.has(i), `${site.id} at ${p.lat},${p.lon}`);
        },
      ),
      { numRuns: 3000 },
    );
  });

  void it('names the sites a container is a member of, in index order, each once', () => {
    const list = [circleSite('A', { lat: 45, lon: 5 }, 300), circleSite('B', { lat: 48, lon: 2 }, 300)];
    const grid = new SiteGrid(list);
    assert.deepEqual(
      grid.candidates({ lat: 48, lon: 2 }, { A: { inside: true }, gone: { inside: true } }),
      [0, 1],
    );
    assert.deepEqual(grid.candidates({ lat: 10, lon: 10 }, {}), []);
  });

  void it('leaves the tracker exactly where a scan of every site leaves it', () => {
    const tracker = new GeofenceTracker();
    fc.assert(
      fc.property(
        sites.chain((list) =>
          fc.tuple(fc.constant(list), fc.array(pointsNear(list), { minLength: 1, maxLength: 30 })),
        ),
        ([list, track]) => {
          const grid = new SiteGrid(list);
          let scanned: GeofenceTrackerState = GeofenceTracker.initialState();
          let gridded: GeofenceTrackerState = GeofenceTracker.initialState();
          track.forEach((p, i) => {
            const a = tracker.update(scanned, list, p, 1_000 + i * 30_000);
            const b = tracker.update(gridded, grid, p, 1_000 + i * 30_000);
            assert.deepEqual(b, a);
            scanned = a.state;
            gridded = b.state;
          });
        },
      ),
      { numRuns: 500 },
    );
  });
});
