// REST latest-state CPU bench (issue 11): convoi as `npm start` runs it, a fleet of N containers,
// autocannon at 20 connections WITHOUT a rate limit on `GET /api/v1/containers/:id` (random
// container, admin key) for a few seconds. Prints req/s, p50/p99 and the platform's CPU per
// request (utime + stime of its process over the run, divided by the responses), which is what
// decides how many requests the main thread can carry next to ingestion.
// Run: node dist/test/bench/rest-inproc.bench.js [containers=20000] [seconds=10] [runs=1]
// REST_BENCH_TEMPLATE=<dir> keeps the fleet database between invocations (built once, ~30 s).
// REST_BENCH_PROFILE=<dir> writes a --cpu-prof of the platform there.
// REST_BENCH_RATE=<req/s> paces autocannon (latency at a given rate, e.g. issue 11's 1,000).
import autocannon from 'autocannon';
import { containerId } from './support/bench-fleet.js';
import { buildFleetTemplate, cloneTemplate } from './support/fleet-template.js';
import { PlatformProcess } from './support/platform-process.js';
import { cpuSeconds } from './support/proc-stats.js';

const CONTAINERS = Number(process.argv[2] ?? 20_000);
const SECONDS = Number(process.argv[3] ?? 10);
const RUNS = Number(process.argv[4] ?? 1);
const CONNECTIONS = 20;
const profileDir = process.env.REST_BENCH_PROFILE;
const rate = process.env.REST_BENCH_RATE === undefined ? undefined : Number(process.env.REST_BENCH_RATE);

const template = await buildFleetTemplate(CONTAINERS, 0, process.env.REST_BENCH_TEMPLATE);
if (!template.reused) process.stdout.write(`fleet of ${CONTAINERS} built in ${template.seconds} s\n`);

const platform = new PlatformProcess({
  dataDir: cloneTemplate(template.dir, 'rest'),
  execArgv: profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDir}`],
});
await platform.start();
try {
  const probe = await platform.request(`/api/v1/containers/${containerId(1)}`);
  if (probe.status !== 200) throw new Error(`GET container: ${probe.status} ${await probe.text()}`);
  // Warm-up: JIT, statement caches, whatever the first thousands of requests fill.
  await load(2);
  for (let run = 1; run <= RUNS; run++) {
    const cpuBefore = cpuSeconds(platform.pid);
    const result = await load(SECONDS);
    const cpu = cpuSeconds(platform.pid) - cpuBefore;
    const responses = result['2xx'] + result.non2xx;
    process.stdout.write(
      `run ${run}: ${Math.round(result.requests.average)} req/s, p50 ${result.latency.p50} ms, ` +
        `p99 ${result.latency.p99} ms, CPU ${((cpu / responses) * 1000).toFixed(3)} ms/request ` +
        `(${cpu.toFixed(2)} s for ${responses}), non-2xx ${result.non2xx}, errors ${result.errors}\n`,
    );
  }
} finally {
  await platform.stop();
}

function load(seconds: number): ReturnType<typeof autocannon> {
  return autocannon({
    url: platform.httpUrl,
    connections: CONNECTIONS,
    duration: seconds,
    ...(rate !== undefined && { overallRate: rate }),
    headers: { authorization: `Bearer ${platform.adminKey}` },
    requests: [
      {
        setupRequest: (req) => ({
          ...req,
          method: 'GET',
          path: `/api/v1/containers/${containerId(Math.floor(Math.random() * CONTAINERS))}`,
        }),
      },
    ],
  });
}
