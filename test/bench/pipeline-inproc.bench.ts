// In-process pipeline micro-benchmark: messages appended straight to the write-ahead inbox (no
// sockets, no broker) and drained through the real handlers, pipeline, store, live state, rules
// and journeys. It isolates convoi's own cost per message; `npm run bench` measures the whole.
// Run: node dist/test/bench/pipeline-inproc.bench.js [messages] [devices]
// BENCH_PROFILE=<file.cpuprofile> profiles the measured part only (not start-up, not the fleet import).
import 'reflect-metadata';
import { writeFileSync, mkdirSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { deviceTelemetryTopic } from '#src/contracts/topics.js';
import { FleetImportService } from '#src/fleet/fleet-import.service.js';
import { IngestInbox } from '#src/ingestion/inbox/ingest-inbox.js';
import { Metrics } from '#src/common/metrics.js';
import { startTestApp } from '#test/support/test-app.js';

const MESSAGES = Number(process.argv[2] ?? 60_000);
const DEVICES = Number(process.argv[3] ?? 5_000);

// The broker on the main thread: messages are appended to its inbox in-process, without sockets.
const app = await startTestApp({ env: { LOG_LEVEL: 'warn', FLEET_SEED_FILE: '', BROKER_THREAD: 'false' } });
const fleet = app.running.app.get(FleetImportService);
await fleet.import({
  sites: [],
  containers: Array.from({ length: DEVICES }, (_, i) => ({
    id: `C-${i}`,
    kind: 'roll-cage',
    label: `C ${i}`,
  })),
  devices: Array.from({ length: DEVICES }, (_, i) => ({
    id: `D-${i}`,
    format: 'json',
    containerId: `C-${i}`,
  })),
});
const inbox = app.running.app.get(IngestInbox);
const metrics = app.running.app.get(Metrics);
const stored = async () =>
  (await metrics.registry.getSingleMetric('convoi_telemetry_points_written_total')?.get())?.values[0]
    ?.value ?? 0;

const t0 = Date.now() - MESSAGES * 10;
const payloads = Array.from({ length: MESSAGES }, (_, i) => {
  const d = i % DEVICES;
  return {
    topic: deviceTelemetryTopic(`D-${d}`),
    payload: Buffer.from(
      JSON.stringify({
        ts: t0 + i * 10,
        seq: i,
        temperature: 3 + (i % 7) / 10,
        humidity: 80,
        battery: 90,
        lat: 45.6 + d / 1e5,
        lon: 5.1,
      }),
    ),
  };
});

const before = await stored();
const profileFile = process.env.BENCH_PROFILE;
const profiler = profileFile ? new Session() : undefined;
if (profiler) {
  profiler.connect();
  await profiler.post('Profiler.enable');
  await profiler.post('Profiler.start');
}
const cpu0 = process.cpuUsage();
const loop0 = performance.eventLoopUtilization();
const start = performance.now();
for (const p of payloads) inbox.append(p.topic, p.payload, () => {});
// The longest a 1 ms timer waits while the drain runs: what a REST request waits behind ingestion.
// Started after the appends (the bench's own stall); a timer rather than monitorEventLoopDelay,
// whose histogram stays empty when the drain never yields.
let lastTick = performance.now();
let longestGapMs = 0;
const probe = setInterval(() => {
  const now = performance.now();
  longestGapMs = Math.max(longestGapMs, now - lastTick);
  lastTick = now;
}, 1);
while ((await stored()) - before < MESSAGES) await new Promise((r) => setTimeout(r, 5));
const ms = performance.now() - start;
const cpu = process.cpuUsage(cpu0);
const loop = performance.eventLoopUtilization(loop0);
clearInterval(probe);
if (profiler && profileFile) {
  const { profile } = await profiler.post('Profiler.stop');
  writeFileSync(profileFile, JSON.stringify(profile));
  profiler.disconnect();
}
const result = {
  messages: MESSAGES,
  devices: DEVICES,
  seconds: ms / 1000,
  perSecond: Math.round(MESSAGES / (ms / 1000)),
  cpuMicrosPerMessage: Math.round((cpu.user + cpu.system) / MESSAGES),
  // The main thread's busy time alone (the other threads store and checkpoint).
  mainThreadMicrosPerMessage: Math.round((loop.active * 1000) / MESSAGES),
  longestStallMs: Math.round(longestGapMs),
  date: new Date().toISOString(),
};
console.log(JSON.stringify(result));
mkdirSync('docs/bench', { recursive: true });
writeFileSync('docs/bench/pipeline-inproc.json', JSON.stringify(result, null, 2) + '\n');
await app.close();
