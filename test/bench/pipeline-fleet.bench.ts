// In-process pipeline at fleet scale: the bench fleet (150,000 containers, 500 of them on a
// chilled-4 shipment) and the bench's own native JSON readings, appended straight to the inbox
// (no sockets, no broker thread) and drained through the real handlers, stores, rules and
// journeys. Unlike pipeline-inproc (5,000 devices) every reading lands on a container whose
// state is cold in the caches and old in the heap, as at 15,000 readings/s from 150,000 containers;
// it reports the main thread's time per reading and the garbage collector's share of it, then
// the main thread's time of an offline-rule tick over the fleet.
// Run: node dist/test/bench/pipeline-fleet.bench.js [rounds=4]  (one reading per JSON container per round)
// BENCH_TEMPLATE_DIR=/tmp/x keeps (and reuses) the fleet, as for `npm run bench`.
import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { IngestInbox } from '#src/ingestion/inbox/ingest-inbox.js';
import { Metrics } from '#src/common/metrics.js';
import { RuleEngine } from '#src/rules/rule-engine.service.js';
import { startTestApp } from '#test/support/test-app.js';
import { devicesOf, jsonMessage } from './support/bench-fleet.js';
import { buildFleetTemplate, cloneTemplate } from './support/fleet-template.js';

const ROUNDS = Number(process.argv[2] ?? 4);
const CONTAINERS = 150_000;
/** Messages appended per turn of the event loop, as the broker's group commits hand them over. */
const APPEND_CHUNK = 2000;

const template = await buildFleetTemplate(CONTAINERS, 500, process.env.BENCH_TEMPLATE_DIR);
const app = await startTestApp({
  dataDir: cloneTemplate(template.dir, 'fleet-inproc'),
  env: { LOG_LEVEL: 'warn', FLEET_SEED_FILE: '', BROKER_THREAD: 'false' },
});
const inbox = app.running.app.get(IngestInbox);
const metrics = app.running.app.get(Metrics);
const stored = async () =>
  (await metrics.registry.getSingleMetric('convoi_telemetry_points_written_total')?.get())?.values[0]
    ?.value ?? 0;

const devices = devicesOf('json', CONTAINERS);
// Readings 10 s apart per container, all in the past (nothing in the future is accepted).
const t0 = Date.now() - (ROUNDS + 2) * 10_000;

async function drive(firstRound: number, rounds: number) {
  const messages = [];
  for (let r = firstRound; r < firstRound + rounds; r++)
    for (const d of devices) messages.push(jsonMessage(d, r + 1, t0 + r * 10_000 + (d % 10_000)));
  const gc = { minorMs: 0, minor: 0, majorMs: 0, major: 0 };
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = (e as { detail?: { kind?: number } }).detail?.kind;
      if (kind === constants.NODE_PERFORMANCE_GC_MINOR) {
        gc.minor++;
        gc.minorMs += e.duration;
      } else {
        gc.major++;
        gc.majorMs += e.duration;
      }
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  const before = await stored();
  const loop0 = performance.eventLoopUtilization();
  const started = performance.now();
  for (let i = 0; i < messages.length; i += APPEND_CHUNK) {
    for (const m of messages.slice(i, i + APPEND_CHUNK)) inbox.append(m.topic, m.payload, () => {});
    await new Promise((resolve) => setImmediate(resolve));
  }
  while ((await stored()) - before < messages.length) await new Promise((r) => setTimeout(r, 5));
  const ms = performance.now() - started;
  const loop = performance.eventLoopUtilization(loop0);
  observer.disconnect();
  return {
    readings: messages.length,
    perSecond: Math.round(messages.length / (ms / 1000)),
    mainThreadMicrosPerReading: Math.round((loop.active * 10_000) / messages.length) / 10,
    gcPauseMicrosPerReading: Math.round(((gc.minorMs + gc.majorMs) * 10_000) / messages.length) / 10,
    scavenges: gc.minor,
    scavengeMs: Math.round(gc.minorMs),
    markCompacts: gc.major,
    markCompactMs: Math.round(gc.majorMs),
  };
}

/**
 * The offline-rule tick over the fleet (every RULES_TICK_MS in production): main-thread time of
 * each of `ticks` walks, ms (its background pauses are idle time, not counted).
 */
async function offlineTicks(ticks: number) {
  const engine = app.running.app.get(RuleEngine);
  const busyMs: number[] = [];
  for (let t = 0; t < ticks; t++) {
    const loop0 = performance.eventLoopUtilization();
    await engine.tick();
    busyMs.push(Math.round(performance.eventLoopUtilization(loop0).active));
  }
  return { offlineTickMs: busyMs };
}

// The first round creates every container's live, rule and journey state: warm-up, not measured.
await drive(0, 1);
const result = {
  containers: CONTAINERS,
  ...(await drive(1, ROUNDS)),
  ...(await offlineTicks(5)),
  date: new Date().toISOString(),
};
console.log(JSON.stringify(result));
mkdirSync('docs/bench', { recursive: true });
writeFileSync('docs/bench/pipeline-fleet.json', JSON.stringify(result, null, 2) + '\n');
await app.close();
