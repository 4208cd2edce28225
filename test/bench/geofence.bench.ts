// Geofence scan per fix against a chain's sites (issue 11): the journey tracker measures every
// fix against the sites, with a scan of every site or with the sites' grid (SiteGrid). Sites are
// 300 m circles and 400 m × 250 m polygons spread over France (a hypermarket network's
// footprint); fixes are trucks anywhere in the same area, 10 s apart.
// Run: node dist/test/bench/geofence.bench.js  (writes docs/bench/geofence.json)
import { mkdirSync, writeFileSync } from 'node:fs';
import type { GeoPoint, Site } from '#src/shipments/geo/geofence.types.js';
import { GeofenceTracker } from '#src/shipments/geo/geofence.tracker.js';
import { SiteGrid } from '#src/shipments/geo/site-grid.js';
import { rectangleRing, seededRandom } from '#src/shipments/geo/geo.fixtures.js';

const SITE_COUNTS = [5, 100, 500, 2000, 5000];
const FIXES = 20_000;
const random = seededRandom(11);
const inFrance = (): GeoPoint => ({ lat: 43 + 6 * random(), lon: -1 + 8 * random() });

function chain(n: number): Site[] {
  return Array.from({ length: n }, (_, i): Site => {
    const centre = inFrance();
    const geofence: Site['geofence'] =
      i % 2 === 0
        ? { type: 'circle', radiusM: 300 }
        : { type: 'polygon', coordinates: [rectangleRing(centre, 400, 250)] };
    return { id: `SITE-${i}`, kind: 'supermarket', ...centre, geofence };
  });
}

/** Microseconds per fix of `FIXES` fixes through one tracker state. */
function perFix(sites: readonly Site[] | SiteGrid, fixes: readonly GeoPoint[]): number {
  const tracker = new GeofenceTracker();
  let state = GeofenceTracker.initialState();
  const started = performance.now();
  fixes.forEach((p, i) => (state = tracker.update(state, sites, p, 1_000 + i * 10_000).state));
  return Math.round(((performance.now() - started) * 1000 * 100) / fixes.length) / 100;
}

const fixes = Array.from({ length: FIXES }, inFrance);
const rows = SITE_COUNTS.map((n) => {
  const sites = chain(n);
  perFix(sites, fixes.slice(0, 2000)); // JIT warm-up
  return {
    sites: n,
    scanMicrosPerFix: perFix(sites, fixes),
    gridMicrosPerFix: perFix(new SiteGrid(sites), fixes),
  };
});
for (const r of rows)
  console.log(`${r.sites} sites: scan ${r.scanMicrosPerFix} µs/fix, grid ${r.gridMicrosPerFix} µs/fix`);
mkdirSync('docs/bench', { recursive: true });
writeFileSync(
  'docs/bench/geofence.json',
  JSON.stringify({ bench: 'geofence', fixes: FIXES, rows, date: new Date().toISOString() }, null, 2) + '\n',
);
