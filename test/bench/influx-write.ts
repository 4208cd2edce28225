// Benchmark (not a test): points/s through InfluxTelemetryWriter into the local influxd versus
// raw line-protocol POSTs of the same points, in the same run, through the same v2 shim.
// Run: npx tsc -p . && node dist/test/bench/influx-write.js [points]
import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { cpus, loadavg } from 'node:os';
import { Logger } from '@nestjs/common';
import type { Reading } from '#src/contracts/reading.js';
import { readingToLine } from '#src/telemetry/influx/influx-line-protocol.js';
import {
  influxTestConfig,
  makeReading,
  openWriter,
  startInfluxStack,
  tempDataDir,
  type InfluxStack,
} from '#test/support/influx/influx-fixture.js';

const POINTS = Number(process.argv[2] ?? 200_000);
const BATCH = 5000;
const CONCURRENCY = 4;
const ROUNDS = 3;
/** Most lines seen waiting in the outbox during the writer runs. */
let spilled = 0;

/**
 * The points of one run: 1,000 containers with one device each, one reading a second per device.
 * Every run writes the same series (created once, in the warm-up) in a time range of its own,
 * so no run pays for series creation and none overwrites another.
 */
function readings(run: number): Reading[] {
  return Array.from({ length: POINTS }, (_, i) =>
    makeReading(run * 1_000_000 + Math.floor(i / 1000), {
      containerId: `B-C${i % 1000}`,
      deviceId: `B-D${i % 1000}`,
      temperatureC: (i % 400) / 10 - 20,
      humidityPct: 40 + (i % 50),
      batteryPct: 90,
      quality: { fCnt: i, rssi: -100 + (i % 30), snr: 5.5, gateways: 2, lagMs: 300, late: false },
    }),
  );
}

function post(url: URL, body: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', headers: { 'content-type': 'text/plain; charset=utf-8' } },
      (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode === 204 ? resolve() : reject(new Error(`raw write answered ${res.statusCode}`)),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Raw: prebuilt line protocol, batches of BATCH, CONCURRENCY requests in flight, no gzip. */
async function raw(stack: InfluxStack, run: number): Promise<number> {
  const problems = { skippedField: () => undefined, skippedPoint: () => undefined };
  const lines = readings(run).map((r) => readingToLine(r, problems) as string);
  const bodies: string[] = [];
  for (let i = 0; i < lines.length; i += BATCH) bodies.push(lines.slice(i, i + BATCH).join('\n'));
  const url = new URL(`${stack.shim.url}/api/v2/write?org=convoi&bucket=telemetry/autogen&precision=ms`);
  const started = performance.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < bodies.length) {
      const body = bodies[next++];
      // A kept-alive socket the server closed while idle: send again, as our writer would.
      await post(url, body).catch(() => post(url, body));
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return (performance.now() - started) / 1000;
}

/** Ours: Reading objects in, serialization, batching, gzip and outbox bookkeeping included. */
async function writer(stack: InfluxStack, run: number, dataDir: string): Promise<number> {
  const input = readings(run);
  const h = openWriter(
    influxTestConfig(stack.shim.url, `${dataDir}/run-${run}`, {
      INFLUX_BATCH_SIZE: BATCH,
      INFLUX_FLUSH_MS: 1000,
      INFLUX_MAX_IN_FLIGHT: CONCURRENCY,
      INFLUX_TIMEOUT_MS: 30_000,
    }),
  );
  const started = performance.now();
  // Readings arrive in message-sized slices, as from the MQTT consumer, not in one call.
  for (let i = 0; i < input.length; i += 1000) {
    h.writer.write(input.slice(i, i + 1000));
    spilled = Math.max(spilled, h.writer.status().outboxLines);
    await new Promise((resolve) => setImmediate(resolve));
  }
  await h.writer.flush();
  // A burst faster than InfluxDB spills to the outbox: the run ends when that is written too.
  while (!h.writer.isHealthy()) await new Promise((resolve) => setTimeout(resolve, 5));
  const seconds = (performance.now() - started) / 1000;
  await h.shutdown();
  return seconds;
}

async function main(): Promise<void> {
  Logger.overrideLogger(['error']);
  const stack = await startInfluxStack();
  const data = tempDataDir();
  try {
    await raw(stack, 0);
    const rawRuns: number[] = [];
    const writerRuns: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      rawRuns.push(POINTS / (await raw(stack, 1 + 2 * round)));
      writerRuns.push(POINTS / (await writer(stack, 2 + 2 * round, data.dir)));
      console.error(
        `round ${round}: raw ${Math.round(rawRuns[round])}/s, writer ${Math.round(writerRuns[round])}/s`,
      );
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const result = {
      bench: 'influx-write',
      date: new Date().toISOString(),
      machine: {
        cpus: cpus().length,
        loadAverage1m: Number(loadavg()[0].toFixed(2)),
        node: process.version,
        influxd: '1.6.7 (Debian) behind the v2 shim',
      },
      points: POINTS,
      batchSize: BATCH,
      concurrency: CONCURRENCY,
      rounds: ROUNDS,
      rawPointsPerSecond: Math.round(median(rawRuns)),
      writerPointsPerSecond: Math.round(median(writerRuns)),
      rawRuns: rawRuns.map(Math.round),
      writerRuns: writerRuns.map(Math.round),
      ratio: Number((median(writerRuns) / median(rawRuns)).toFixed(3)),
      goal: 0.8,
      maxOutboxLinesDuringRuns: spilled,
    };
    console.log(JSON.stringify(result, null, 2));
    console.log(
      `writer ${result.writerPointsPerSecond} points/s vs raw ${result.rawPointsPerSecond} points/s: ${(result.ratio * 100).toFixed(1)} % (goal >= 80 %)`,
    );
    mkdirSync('docs/bench', { recursive: true });
    writeFileSync('docs/bench/influx-write.json', `${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await stack.close();
    data.remove();
  }
}

await main();
