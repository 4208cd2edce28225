// Throughput and client CPU of the input log on a local nats-server (Debian's 2.9, JetStream, file
// storage): appends with a window of N in flight, then reads of every entry through one partition
// and through 8. Bounded: a fixed count per run. Run after a build:
//   node dist/test/bench/jetstream-log.bench.js
// CPU is this process's (the client's) user+system time per entry; the server's is read from
// /proc for its pid. Wall-clock figures are noisy on a shared machine; CPU per entry is the one
// to compare.
import { readFileSync } from 'node:fs';
import type { LogEntry } from '#src/log/log-entry.js';
import type { JetStreamLog } from '#src/log/jetstream/jetstream-log.js';
import { openLog } from '#test/support/jetstream-log.js';
import { NatsServerProcess } from '#test/support/nats-server.js';
import { waitFor } from '#test/support/wait-for.js';

const ENTRIES = Number(process.env.BENCH_ENTRIES ?? 20_000);
const PARTITIONS = 8;
const CONTAINERS = Array.from({ length: 64 }, (_, i) => `REEFER-${String(i).padStart(3, '0')}`);
const payload = Buffer.from(
  JSON.stringify({ temperatureC: 4.25, humidityPct: 81, measuredAt: '2026-12-07T06:00:00Z' }),
);

const entry = (i: number): LogEntry => ({
  containerId: CONTAINERS[i % CONTAINERS.length],
  deviceId: `sensor-${i % CONTAINERS.length}`,
  topic: `v1/devices/sensor-${i % CONTAINERS.length}/telemetry`,
  payload,
  receivedAt: Date.now(),
});

/** The server's CPU time so far, ms (utime + stime from /proc, in clock ticks of 10 ms). */
function serverCpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function measure(
  what: string,
  server: NatsServerProcess,
  count: number,
  run: () => Promise<void>,
): Promise<void> {
  const cpu0 = process.cpuUsage();
  const server0 = serverCpuMs(server.pid);
  const t0 = performance.now();
  await run();
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const clientUs = (cpu.user + cpu.system) / count;
  const serverUs = ((serverCpuMs(server.pid) - server0) * 1000) / count;
  console.log(
    `${what.padEnd(34)} ${String(Math.round((count / wallMs) * 1000)).padStart(7)}/s   client ${clientUs.toFixed(1).padStart(5)} µs CPU/entry   server ~${serverUs.toFixed(1).padStart(5)} µs CPU/entry`,
  );
}

async function appendAll(log: JetStreamLog, window: number): Promise<void> {
  // The edge's shape: each device message appended on its own, `window` of them in flight.
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < ENTRIES) await log.appender.append(entry(next++));
  };
  await Promise.all(Array.from({ length: window }, worker));
}

async function readAll(log: JetStreamLog, partitions: number[]): Promise<void> {
  let got = 0;
  const tail = await log.reader.read(new Map(partitions.map((p) => [p, 0])), () => {
    got++;
  });
  await waitFor(`${ENTRIES} read`, () => got >= ENTRIES, 120_000, 5);
  await tail.stop();
}

const server = new NatsServerProcess();
await server.start();
try {
  console.log(
    `${ENTRIES} entries of ${payload.length + 60} bytes or so, ${PARTITIONS} partitions, nats-server 2.9`,
  );
  for (const window of [1, 64, 1024]) {
    const log = await openLog(server.url, { NATS_STREAM: `B${window}`, PARTITIONS: String(PARTITIONS) });
    await measure(`append, window ${window}`, server, ENTRIES, () => appendAll(log, window));
    if (window === 1024) {
      await measure('read, 8 partitions (8 consumers)', server, ENTRIES, () =>
        readAll(
          log,
          Array.from({ length: PARTITIONS }, (_, p) => p),
        ),
      );
    }
    await log.close();
    // One stream owns the subjects: delete it before the next window's.
    await deleteStream(server.url, `B${window}`);
  }
  // One partition's read: every entry in one subject.
  const single = await openLog(server.url, { NATS_STREAM: 'B1P', PARTITIONS: '1' });
  await appendAll(single, 1024);
  await measure('read, 1 partition (1 consumer)', server, ENTRIES, () => readAll(single, [0]));
  await single.close();
} finally {
  await server.dispose();
}

async function deleteStream(url: string, name: string): Promise<void> {
  const { connect } = await import('@nats-io/transport-node');
  const { jetstreamManager } = await import('@nats-io/jetstream');
  const nc = await connect({ servers: url });
  await (await jetstreamManager(nc)).streams.delete(name);
  await nc.close();
}
