// The fleet registry on each operational store (issue "PostgreSQL as the operational store"):
// a fleet import of 150,000 containers (wall time, CPU of convoi and of PostgreSQL), then
// `GET /api/v1/containers/:id` on random containers at 1,000 req/s from a process of its own
// (open loop, latency from when each request was due), on SQLite and on PostgreSQL in turn.
// Rounds alternate the stores' order, so drifting load on the machine falls on both.
// Run: node dist/test/bench/fleet-store.bench.js [containers=150000] [restSeconds=10] [rounds=3]
import 'reflect-metadata';
import { FleetImportService } from '#src/fleet/fleet-import.service.js';
import type { StoreDialect } from '#src/storage/store-migration.js';
import { startPostgres } from '#test/support/postgres.js';
import { startTestApp, type TestApp } from '#test/support/test-app.js';
import type { RestLoadCommand, RestLoadReport } from './load/rest-load.protocol.js';
import { BenchChild } from './support/child-process.js';
import { importFleet } from './support/import-fleet.js';
import { processTreeCpuSeconds } from './support/proc-stats.js';

const CONTAINERS = Number(process.argv[2] ?? 150_000);
const REST_SECONDS = Number(process.argv[3] ?? 10);
const ROUNDS = Number(process.argv[4] ?? 3);
const REST_RATE = 1000;
const REST_WARMUP_SECONDS = 3;
const fleet = importFleet(CONTAINERS);

interface RoundResult {
  store: StoreDialect;
  import: { wallS: number; convoiCpuS: number; postgresCpuS: number | null };
  rest: RestLoadReport;
}

const postgres = await startPostgres();
const clients = new BenchChild<RestLoadCommand, RestLoadReport>('load/rest-load.process.js');
const results: RoundResult[] = [];
try {
  for (let round = 0; round < ROUNDS; round++) {
    const order: StoreDialect[] = round % 2 === 0 ? ['sqlite', 'postgres'] : ['postgres', 'sqlite'];
    for (const store of order) results.push(await measure(store));
  }
} finally {
  await clients.stop();
  await postgres.stop();
}
console.log(JSON.stringify({ containers: CONTAINERS, restRatePerS: REST_RATE, rounds: results }, null, 1));
for (const store of ['sqlite', 'postgres'] as const) {
  const mine = results.filter((r) => r.store === store);
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  console.log(
    `${store}: import wall median ${median(mine.map((r) => r.import.wallS))} s ` +
      `(${mine.map((r) => r.import.wallS).join(', ')}), GET p50 median ` +
      `${median(mine.map((r) => r.rest.latencyMs.p50))} ms, p99 median ${median(mine.map((r) => r.rest.latencyMs.p99))} ms ` +
      `(${mine.map((r) => r.rest.latencyMs.p99).join(', ')})`,
  );
}

async function measure(store: StoreDialect): Promise<RoundResult> {
  const url = store === 'postgres' ? await postgres.createDatabase() : undefined;
  const app = await startTestApp({
    env: {
      LOG_LEVEL: 'warn',
      FLEET_SEED_FILE: '',
      BROKER_THREAD: 'false',
      ...(url !== undefined && { DATABASE_URL: url }),
    },
  });
  try {
    const imported = await timeImport(app, url !== undefined ? postgres.pid() : undefined);
    const run = async (seconds: number): Promise<RestLoadReport> => {
      clients.send({
        type: 'run',
        client: 'paced',
        url: app.httpUrl,
        apiKey: app.adminKey,
        connections: 20,
        ratePerS: REST_RATE,
        seconds,
        containers: CONTAINERS,
      });
      return clients.next('ran', (seconds + 30) * 1000);
    };
    await run(REST_WARMUP_SECONDS);
    const rest = await run(REST_SECONDS);
    if (rest.non2xx > 0 || rest.errors > 0)
      throw new Error(`${store}: ${rest.non2xx} non-2xx, ${rest.errors} errors`);
    return { store, import: imported, rest };
  } finally {
    await app.close();
  }
}

async function timeImport(app: TestApp, postgresPid: number | undefined): Promise<RoundResult['import']> {
  const importer = app.running.app.get(FleetImportService);
  const pgBefore = postgresPid === undefined ? 0 : processTreeCpuSeconds(postgresPid);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const summary = await importer.import(fleet);
  const wallS = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  if (summary.containers !== CONTAINERS) throw new Error(`imported ${summary.containers} containers`);
  const round = (s: number) => Math.round(s * 100) / 100;
  return {
    wallS: round(wallS),
    convoiCpuS: round((cpu.user + cpu.system) / 1e6),
    postgresCpuS: postgresPid === undefined ? null : round(processTreeCpuSeconds(postgresPid) - pgBefore),
  };
}
