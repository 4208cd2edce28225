// CPU per device message of an edge that PUBACKs after the shared log (CONVOI_ROLES=edge,
// NATS_URL, DATABASE_URL), against one node that PUBACKs after its inbox and runs the pipeline
// too (the default). Both are convoi child processes on loopback; this process runs the MQTT
// clients. Bounded: MESSAGES QoS 1 publishes per run, RUNS alternating pairs. Run after a build:
//   node dist/test/bench/edge-append.bench.js
// CPU is the convoi process's user+system time (and nats-server's, for the edge) from /proc, per
// message; medians of the runs, with the spread, since the machine is shared.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import mqtt from 'mqtt';
import { deviceTelemetryTopic } from '#src/contracts/topics.js';
import { startConvoi } from '#test/support/child-app.js';
import { NatsServerProcess } from '#test/support/nats-server.js';
import { startPostgres } from '#test/support/postgres.js';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 20_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const CLIENTS = 20;
const IN_FLIGHT = 50;
const DEVICES = ['sensor-reefer-001', 'sensor-reefer-002', 'sensor-pal-7001'];

/** A process's CPU time so far, ms (utime + stime from /proc, in clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Publishes MESSAGES QoS 1 readings through `port`, CLIENTS clients with IN_FLIGHT each. */
async function publishAll(port: number, run: number): Promise<number> {
  const clients = await Promise.all(
    Array.from({ length: CLIENTS }, (_, k) =>
      mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: `bench-${run}-${k}`, reconnectPeriod: 0 }),
    ),
  );
  const base = Date.now() + 1000;
  let next = 0;
  const t0 = performance.now();
  const lane = async (k: number): Promise<void> => {
    const client = clients[k % CLIENTS];
    for (let i = next++; i < MESSAGES; i = next++) {
      const device = DEVICES[i % DEVICES.length];
      const ts = new Date(base + Math.floor(i / DEVICES.length)).toISOString();
      await client.publishAsync(deviceTelemetryTopic(device), JSON.stringify({ ts, temperature: 4.2 }), {
        qos: 1,
      });
    }
  };
  await Promise.all(Array.from({ length: CLIENTS * IN_FLIGHT }, (_, k) => lane(k)));
  const wallMs = performance.now() - t0;
  await Promise.all(clients.map((c) => c.endAsync(true)));
  return wallMs;
}

interface Node {
  child: ChildProcess;
  mqttPort: number;
  dataDir: string;
}

async function start(env: Record<string, string>): Promise<Node> {
  const dataDir = mkdtempSync(join(tmpdir(), 'convoi-bench-edge-'));
  const { child, mqttPort } = await startConvoi({
    dataDir,
    env: {
      FLEET_SEED_FILE: resolve('config/fleet.example.json'),
      BROKER_PUBLISH_RATE_PER_S: '1000000',
      BROKER_PUBLISH_BURST: '1000000',
      ...env,
    },
  });
  return { child, mqttPort, dataDir };
}

async function stop(node: Node): Promise<void> {
  const exited = new Promise((done) => node.child.once('exit', done));
  node.child.kill('SIGTERM');
  await exited;
  rmSync(node.dataDir, { recursive: true, force: true });
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const nats = new NatsServerProcess();
await nats.start();
const postgres = await startPostgres();
const results = {
  inbox: [] as number[],
  log: [] as number[],
  nats: [] as number[],
  rate: { inbox: [] as number[], log: [] as number[] },
};
try {
  const databaseUrl = await postgres.createDatabase();
  for (let run = 0; run < RUNS; run++) {
    for (const kind of ['inbox', 'log'] as const) {
      const node = await start(
        kind === 'inbox' ? {} : { CONVOI_ROLES: 'edge', NATS_URL: nats.url, DATABASE_URL: databaseUrl },
      );
      const pid = node.child.pid ?? -1;
      const cpu0 = cpuMs(pid);
      const nats0 = cpuMs(nats.pid);
      const wallMs = await publishAll(node.mqttPort, run);
      results[kind].push(((cpuMs(pid) - cpu0) * 1000) / MESSAGES);
      if (kind === 'log') results.nats.push(((cpuMs(nats.pid) - nats0) * 1000) / MESSAGES);
      results.rate[kind].push(Math.round((MESSAGES / wallMs) * 1000));
      await stop(node);
    }
  }
} finally {
  await postgres.stop();
  await nats.dispose();
}
const show = (xs: number[]): string =>
  `median ${median(xs).toFixed(1)} (runs ${xs.map((x) => x.toFixed(1)).join(', ')})`;
console.log(
  `${MESSAGES} QoS 1 messages a run, ${CLIENTS} clients x ${IN_FLIGHT} in flight, ${RUNS} alternating pairs`,
);
console.log(
  `one node (inbox + pipeline): ${show(results.inbox)} µs CPU/message, PUBACKs/s ${results.rate.inbox.join(', ')}`,
);
console.log(
  `edge on the log:             ${show(results.log)} µs CPU/message, PUBACKs/s ${results.rate.log.join(', ')}`,
);
console.log(`nats-server for the edge:    ${show(results.nats)} µs CPU/message`);
