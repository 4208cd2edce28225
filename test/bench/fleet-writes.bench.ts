// Registry writes at a chain's scale (issue 11): how long one write of the REST API (a container or
// a device registered, a device bound, a shipment changed) holds the main thread, which also
// carries ingestion, with the bench fleet (150,000 containers and devices) and thousands of
// shipments under way; and a page of an API import (500 containers and devices). Each write used to rebuild a whole in-memory index (device directory,
// container sites, active shipments).
// Run: node dist/test/bench/fleet-writes.bench.js [activeShipments=20000]
// BENCH_TEMPLATE_DIR=/tmp/x keeps (and reuses) the bench fleet, as for `npm run bench`.
import 'reflect-metadata';
import { ContainersService } from '#src/fleet/containers.service.js';
import { DevicesService } from '#src/fleet/devices.service.js';
import { FleetImportService } from '#src/fleet/fleet-import.service.js';
import { ShipmentsRepository } from '#src/shipments/shipments.repository.js';
import { ShipmentsService } from '#src/shipments/shipments.service.js';
import { SqliteDatabase } from '#src/storage/sqlite-database.js';
import { startTestApp } from '#test/support/test-app.js';
import { containerId } from './support/bench-fleet.js';
import { buildFleetTemplate, cloneTemplate } from './support/fleet-template.js';

const ACTIVE = Number(process.argv[2] ?? 20_000);
const WRITES = 20;

const template = await buildFleetTemplate(150_000, 500, process.env.BENCH_TEMPLATE_DIR);
const app = await startTestApp({
  dataDir: cloneTemplate(template.dir, 'fleet-writes'),
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
// Planned shipments on containers the bench fleet has no shipment on (its 500 are on the first),
// in one transaction of the shared connection (Kysely's SQLite queries run on it synchronously).
db.exec('BEGIN');
for (let i = 0; i < ACTIVE; i++) {
  await repository.insert(
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
db.exec('COMMIT');
const containers = app.running.app.get(ContainersService);
const importer = app.running.app.get(FleetImportService);
/** A page of an API import (~64 KB): 500 new containers, each with a new device bound to it. */
const importPage = (k: number) => ({
  sites: [],
  containers: Array.from({ length: 500 }, (_, i) => ({
    id: `PAGE-${k}-${i}`,
    kind: 'roll-cage',
    label: 'p',
  })),
  devices: Array.from({ length: 500 }, (_, i) => ({
    id: `PAGE-D-${k}-${i}`,
    format: 'json',
    containerId: `PAGE-${k}-${i}`,
  })),
});
const devices = app.running.app.get(DevicesService);
/** Median and slowest of `WRITES` calls of `write(i)`, each awaited (the shipments' are asynchronous), ms. */
async function time(write: (i: number) => unknown): Promise<{ medianMs: number; maxMs: number }> {
  const ms: number[] = [];
  for (let i = 0; i < WRITES; i++) {
    const started = performance.now();
    await write(i);
    ms.push(performance.now() - started);
  }
  ms.sort((a, b) => a - b);
  const round = (v: number) => Math.round(v * 100) / 100;
  return { medianMs: round(ms[Math.floor(ms.length / 2)]), maxMs: round(ms[ms.length - 1]) };
}
const result = {
  containers: 150_000,
  activeShipments: ACTIVE + 500,
  containerCreate: await time((i) => containers.create({ id: `NEW-C-${i}`, kind: 'reefer', label: 'new' })),
  deviceCreate: await time((i) => devices.create({ id: `NEW-D-${i}`, format: 'json' })),
  deviceBind: await time((i) => devices.bind(`NEW-D-${i}`, { containerId: `NEW-C-${i}` })),
  importPage: await time((i) => importer.import(importPage(i))),
  shipmentUpdate: await time(async (i) =>
    shipments.update(
      `SH-BENCH-${i}`,
      { carrier: `carrier ${i}` },
      (await shipments.get(`SH-BENCH-${i}`)).etag,
    ),
  ),
};
console.log(JSON.stringify(result));
await app.close();
