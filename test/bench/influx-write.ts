// Benchmark (not a test): points/s through InfluxTelemetryWriter into the local influxd versus
// raw line-protocol POSTs of the same points, in the same run, through the same v2 shim.
// Run: npx tsc -p . && node dist/test/bench/influx-write.js [points]
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { Logger } from '@nestjs/common';
import { startInfluxStack, tempDataDir } from '#test/support/influx/influx-fixture.js';
import { rawWriteRun, WRITE_BATCH, WRITE_CONCURRENCY, writerWriteRun } from './support/influx-write-runs.js';

const POINTS = Number(process.argv[2] ?? 200_000);
const ROUNDS = 3;

async function main(): Promise<void> {
  Logger.overrideLogger(['error']);
  const stack = await startInfluxStack();
  const data = tempDataDir();
  try {
    let spilled = 0;
    await rawWriteRun(stack.shim.url, 0, POINTS);
    const rawRuns: number[] = [];
    const writerRuns: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      rawRuns.push(POINTS / (await rawWriteRun(stack.shim.url, 1 + 2 * round, POINTS)));
      const ours = await writerWriteRun(stack.shim.url, data.dir, 2 + 2 * round, POINTS);
      writerRuns.push(POINTS / ours.seconds);
      spilled = Math.max(spilled, ours.maxOutboxLines);
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
      batchSize: WRITE_BATCH,
      concurrency: WRITE_CONCURRENCY,
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
