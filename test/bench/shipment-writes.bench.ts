// Shipment writes at a chain's scale (issue 11): how long one planner write (PATCH of a shipment)
// holds the main thread when thousands of shipments are under way. Each write used to rebuild the
// whole index of active shipments and empty every cache derived from shipments.
// Run: node dist/test/bench/shipment-writes.bench.js [activeShipments=20000]
// BENCH_TEMPLATE_DIR=/tmp/x keeps (and reuses) the bench fleet, as for `npm run bench`.
import 'reflect-metadata';
import { ShipmentsRepository } from '#src/shipments/shipments.repository.js';
import { ShipmentsService } from '#src/shipments/shipments.service.js';
import { SqliteDatabase } from '#src/storage/sqlite-database.js';
import { startTestApp } from '#test/support/test-app.js';
import { containerId } from './support/bench-fleet.js';
import { buildFleetTemplate, cloneTemplate } from './support/fleet-template.js';

const ACTIVE = Number(process.argv[2] ?? 20_000);
const WRITES = 50;

const template = await buildFleetTemplate(150_000, 500, process.env.BENCH_TEMPLATE_DIR);
const app = await startTestApp({
  dataDir: cloneTemplate(template.dir, 'shipment-writes'),
  env: { LOG_LEVEL: 'warn', FLEET_SEED_FILE: '', BROKER_THREAD: 'false' },
});
const repository = app.running.app.get(ShipmentsRepository);
const shipments = app.running.app.get(ShipmentsService);
const db = app.running.app.get(SqliteDatabase).connection;
const like = db
  .prepare('SELECT origin_site_id o, destination_site_id d, profile_id p FROM shipments')
  .get() as {
  o: string;
  d: string;
  p: string;
};
// Planned shipments on containers the bench fleet has no shipment on (its 500 are on the first).
db.transaction(() => {
  for (let i = 0; i < ACTIVE; i++) {
    repository.insert(
      {
        id: `SH-BENCH-${i}`,
        containerId: containerId(10_000 + i),
        originSiteId: like.o,
        destinationSiteId: like.d,
        profileId: like.p,
        plannedDeparture: '2026-11-23T06:00:00Z',
        plannedArrival: '2026-11-23T18:00:00Z',
        status: 'planned',
        createdBy: 'bench',
        createdAt: '2026-11-23T00:00:00Z',
      },
      Date.now(),
    );
  }
})();
const ms: number[] = [];
for (let w = 0; w < WRITES; w++) {
  const id = `SH-BENCH-${w}`;
  const started = performance.now();
  shipments.update(id, { carrier: `carrier ${w}` }, shipments.get(id).etag);
  ms.push(performance.now() - started);
}
ms.sort((a, b) => a - b);
const median = ms[Math.floor(ms.length / 2)];
console.log(
  JSON.stringify({
    activeShipments: ACTIVE + 500,
    writes: WRITES,
    medianMs: Math.round(median * 100) / 100,
    maxMs: Math.round(ms[ms.length - 1] * 100) / 100,
  }),
);
await app.close();
