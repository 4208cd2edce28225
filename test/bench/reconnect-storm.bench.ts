// A reconnect storm (issue 11): after a restart of the platform every device connects again at
// once, and each CONNECT verifies its secret against the stored hash. How long until the whole fleet is connected, how many attempts it took (a
// device whose CONNECT times out tries again a second later), and what it costs the platform.
// Run: node dist/test/bench/reconnect-storm.bench.js [devices=3000]
// (writes docs/bench/reconnect-storm.json)
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { DeviceCredentialStore } from '#src/broker/auth/device-credential.store.js';
import { startTestApp } from '#test/support/test-app.js';
import { BenchChild } from './support/child-process.js';

const DEVICES = Number(process.argv[2] ?? 3000);
const env = {
  LOG_LEVEL: 'warn',
  BROKER_ALLOW_ANONYMOUS: 'false',
  // The storm comes from a handful of loopback addresses, not from thousands of modems.
  BROKER_CONNECTIONS_PER_IP_PER_MIN: '1000000',
};

const dataDir = mkdtempSync(join(tmpdir(), 'convoi-storm-'));
const first = await startTestApp({ dataDir, env });
const store = first.running.app.get(DeviceCredentialStore);
const credentials: [string, string][] = [];
const issueStarted = performance.now();
for (let i = 0; i < DEVICES; i++) credentials.push([`STORM-${i}`, await store.issue(`STORM-${i}`)]);
const issueMsPerDevice = (performance.now() - issueStarted) / DEVICES;
await first.close({ keepData: true });

const app = await startTestApp({ dataDir, env });
const credentialsFile = join(dataDir, 'storm-credentials.json');
writeFileSync(credentialsFile, JSON.stringify(credentials));
const lag = monitorEventLoopDelay({ resolution: 10 });
type Report =
  | { type: 'connected'; connected: number; attempts: number; allMs: number; p50Ms: number; p99Ms: number }
  | { type: 'gave-up'; connected: number; attempts: number };
const cpuBefore = process.cpuUsage();
const wallBefore = performance.now();
lag.enable();
const storm = new BenchChild<never, Report>('load/reconnect-storm.process.js', [
  app.mqttUrl,
  credentialsFile,
]);
const report = await Promise.race([storm.next('connected', 700_000), storm.next('gave-up', 700_000)]);
lag.disable();
const cpu = process.cpuUsage(cpuBefore);
const wallS = (performance.now() - wallBefore) / 1000;
await storm.stop();
await app.close();

const result = {
  devices: DEVICES,
  issueMsPerDevice: Math.round(issueMsPerDevice * 100) / 100,
  ...report,
  platformCpuS: Math.round((cpu.user + cpu.system) / 1e4) / 100,
  platformCpuPct: Math.round(((cpu.user + cpu.system) / 1e6 / wallS) * 100),
  mainThreadLagP99Ms: Math.round(lag.percentile(99) / 1e4) / 100,
  measuredAt: new Date().toISOString(),
};
console.log(JSON.stringify(result));
mkdirSync('docs/bench', { recursive: true });
writeFileSync('docs/bench/reconnect-storm.json', `${JSON.stringify(result, null, 2)}\n`);
