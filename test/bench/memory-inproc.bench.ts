// In-process memory bench (issue 11: live state ≤ 2 KB per container): imports N containers with
// one JSON device each, sends one realistic reading per container through the write-ahead inbox
// and the real pipeline, waits until every reading is stored and every write-behind has run, and
// measures heap used and RSS growth per container after a forced GC. Then, for a breakdown, it
// empties one in-memory structure at a time and measures what each one held.
// Run: node --expose-gc dist/test/bench/memory-inproc.bench.js [containers] [readings per container]
import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { deviceTelemetryTopic } from '#src/contracts/topics.js';
import { Metrics } from '#src/common/metrics.js';
import { ActiveShipments } from '#src/fleet/active-shipments.service.js';
import { ContainerSites } from '#src/fleet/container-sites.service.js';
import { DeviceDirectory } from '#src/fleet/device-directory.service.js';
import { FleetImportService } from '#src/fleet/fleet-import.service.js';
import { IngestInbox } from '#src/ingestion/inbox/ingest-inbox.js';
import { ContainerStates } from '#src/state/container-states.port.js';
import { SqliteDatabase } from '#src/storage/sqlite-database.js';
import { startTestApp } from '#test/support/test-app.js';

const CONTAINERS = Number(process.argv[2] ?? 150_000);
/** Readings per container, a minute apart (more than one shows what grows with history). */
const ROUNDS = Number(process.argv[3] ?? 1);
/** Messages appended before waiting for the pipeline: keeps the inbox backlog (its buffers) small. */
const CHUNK = 2_000;

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc');

function settle(): NodeJS.MemoryUsage {
  // Several passes: weak callbacks and finalizers free more on the next one.
  for (let i = 0; i < 4; i++) gc!();
  return process.memoryUsage();
}

async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 600_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

// The inbox is appended to from this thread, as the broker does when it runs in the main thread.
const app = await startTestApp({ env: { LOG_LEVEL: 'warn', FLEET_SEED_FILE: '', BROKER_THREAD: 'false' } });
const get = <T>(type: new (...args: any[]) => T): T => app.running.app.get(type);
const metrics = get(Metrics);
const sqlite = get(SqliteDatabase).connection;
const stored = async () =>
  (await metrics.registry.getSingleMetric('convoi_telemetry_points_written_total')?.get())?.values[0]
    ?.value ?? 0;
const count = (table: string) =>
  (sqlite.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

const empty = settle();

// Five sites in the area: most containers are on the road, a few inside one.
const sites = Array.from({ length: 5 }, (_, i) => ({
  id: `S-${i}`,
  name: `Site ${i}`,
  kind: 'warehouse',
  lat: 45 + i * 0.5,
  lon: 5,
  geofence: { type: 'circle', radiusM: 500 },
}));
await get(FleetImportService).import({
  sites,
  containers: Array.from({ length: CONTAINERS }, (_, i) => ({
    id: `C-${i}`,
    kind: 'reefer',
    label: `Container ${i}`,
    siteId: `S-${i % sites.length}`,
  })),
  devices: Array.from({ length: CONTAINERS }, (_, i) => ({
    id: `D-${i}`,
    format: 'json',
    containerId: `C-${i}`,
  })),
});
const imported = settle();

const inbox = get(IngestInbox);
const now = Date.now();
function payload(i: number, round: number): Buffer {
  const reading: Record<string, number> = {
    ts: now - (ROUNDS - round) * 60_000 + 30_000 + (i % 1000),
    seq: round + 1,
    temperature: Math.round((2 + (i % 50) / 10) * 10) / 10,
    humidity: 70 + (i % 25),
    battery: 40 + (i % 60),
    lat: 45 + (i % 2000) / 1000,
    lon: 5 + (i % 1700) / 1000,
  };
  // One in ten reports a shock (handled, not an alert at this level).
  if (i % 10 === 0) reading.shock = 1.5 + (i % 7);
  return Buffer.from(JSON.stringify(reading));
}

const before = await stored();
const start = performance.now();
for (let round = 0; round < ROUNDS; round++) {
  for (let sent = 0; sent < CONTAINERS;) {
    const end = Math.min(CONTAINERS, sent + CHUNK);
    for (let i = sent; i < end; i++)
      inbox.append(deviceTelemetryTopic(`D-${i}`), payload(i, round), () => {});
    sent = end;
    const total = round * CONTAINERS + sent;
    await until(async () => (await stored()) - before >= total, `${total} readings stored`);
  }
}
const ingestSeconds = (performance.now() - start) / 1000;

// Every write-behind done: live states all written; rule and journey stores ticked at least once.
await until(() => count('state_pages') >= Math.ceil(CONTAINERS / 128), 'live states written');
const persistedAt = performance.now();
await until(() => performance.now() - persistedAt > 2_500, 'write-behind ticks');
const loaded = settle();

const per = (bytes: number) => Math.round(bytes / CONTAINERS);

// Breakdown: empty one structure at a time (private fields reached on purpose: this is a probe).
const probes: [string, () => void][] = [
  // Live values, rule states, journey states, dedupe windows and radio links: one owner.
  ['containerStates', () => clearFields(app.running.app.get(ContainerStates))],
  ['deviceDirectory', () => clearFields(get(DeviceDirectory))],
  ['containerSites', () => clearFields(get(ContainerSites))],
  ['activeShipments', () => clearFields(get(ActiveShipments))],
];
const breakdown: Record<string, { heapBytesPerContainer: number; arrayBufferBytesPerContainer: number }> = {};
let last = loaded;
for (const [name, clear] of probes) {
  clear();
  const after = settle();
  breakdown[name] = {
    heapBytesPerContainer: per(last.heapUsed - after.heapUsed),
    arrayBufferBytesPerContainer: per(last.arrayBuffers - after.arrayBuffers),
  };
  last = after;
}

const result = {
  containers: CONTAINERS,
  readingsPerContainer: ROUNDS,
  node: process.version,
  ingestSeconds: Math.round(ingestSeconds * 10) / 10,
  heapMB: { empty: mb(empty.heapUsed), imported: mb(imported.heapUsed), loaded: mb(loaded.heapUsed) },
  rssMB: { empty: mb(empty.rss), imported: mb(imported.rss), loaded: mb(loaded.rss) },
  // Where RSS goes beyond the live heap: V8's reserved heap, typed arrays, native (SQLite) memory.
  heapTotalMB: { empty: mb(empty.heapTotal), imported: mb(imported.heapTotal), loaded: mb(loaded.heapTotal) },
  arrayBuffersMB: {
    empty: mb(empty.arrayBuffers),
    imported: mb(imported.arrayBuffers),
    loaded: mb(loaded.arrayBuffers),
  },
  perContainer: {
    importHeapBytes: per(imported.heapUsed - empty.heapUsed),
    importRssBytes: per(imported.rss - empty.rss),
    readingHeapBytes: per(loaded.heapUsed - imported.heapUsed),
    readingRssBytes: per(loaded.rss - imported.rss),
    totalHeapBytes: per(loaded.heapUsed - empty.heapUsed),
    totalRssBytes: per(loaded.rss - empty.rss),
  },
  breakdown,
  date: new Date().toISOString(),
};
console.log(JSON.stringify(result, null, 2));
mkdirSync('docs/bench', { recursive: true });
writeFileSync('docs/bench/memory-inproc.json', JSON.stringify(result, null, 2) + '\n');
await app.close();

function mb(bytes: number): number {
  return Math.round((bytes / 2 ** 20) * 10) / 10;
}

/**
 * Empties every Map, Set, array and typed array of a service and of the objects it holds: what
 * they held is then garbage. The service is unusable afterwards: this runs once, at the end.
 */
function clearFields(service: object, depth = 0): void {
  const fields = service as Record<string, unknown>;
  for (const [name, value] of Object.entries(fields)) {
    if (value instanceof Map || value instanceof Set) value.clear();
    else if (Array.isArray(value)) value.length = 0;
    else if (ArrayBuffer.isView(value))
      fields[name] = new (value.constructor as new (n: number) => unknown)(0);
    else if (depth === 0 && value !== null && typeof value === 'object') clearFields(value, 1);
  }
}
