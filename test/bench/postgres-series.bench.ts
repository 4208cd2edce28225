// Benchmark (not a test): readings/s and CPU per reading writing the same readings through the
// embedded store's writer (telemetry.sqlite, its store thread) and the PostgreSQL writer, in the
// same run, alternating, with PostgreSQL made durable as in production (fsync, synchronous_commit
// and full_page_writes on: the test harness turns them off).
// Run: npm run build && node dist/test/bench/postgres-series.bench.js [readings]
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import type { Reading } from '#src/contracts/reading.js';
import { startPostgres, withClient } from '#test/support/postgres.js';
import type { TelemetryWriter } from '#src/telemetry/telemetry.ports.js';
import { openSeriesStore, type SeriesStoreKind } from '#test/support/telemetry-stores.js';

const READINGS = Number(process.argv[2] ?? 100_000);
const CONTAINERS = 1000;
/** Readings per `write` call, as one ingestion slice hands them over. */
const SLICE = 200;
const ROUNDS = 3;
/** Clock ticks per second of /proc/<pid>/stat (USER_HZ, 100 on Linux). */
const TICKS_PER_S = 100;

function fleetReadings(n: number): Reading[] {
  const t0 = Date.UTC(2026, 11, 7);
  return Array.from({ length: n }, (_, i) => {
    const measuredAt = t0 + Math.floor(i / CONTAINERS) * 1000;
    const c = i % CONTAINERS;
    return {
      deviceId: `sensor-${c}`,
      containerId: `PAL-${c}`,
      shipmentId: `SHP-${c}`,
      measuredAt,
      receivedAt: measuredAt + 40,
      source: 'json',
      dedupeKey: `sensor-${c}:${measuredAt}`,
      temperatureC: -20 + (i % 7) * 0.1,
      humidityPct: 60 + (i % 11),
      batteryPct: 90,
      quality: { lagMs: 40, late: false },
    };
  });
}

/** CPU seconds (user + system) of the given processes, from /proc (0 for one that ended). */
function cpuSecondsOf(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // ended
    }
  }
  return ticks / TICKS_PER_S;
}

interface Run {
  perS: number;
  convoiUs: number;
  postgresUs: number;
}

/** Writes the readings in slices, then flushes: the rate, and the CPU per reading of both processes. */
async function measure(
  writer: TelemetryWriter,
  readings: readonly Reading[],
  adminUrl: string,
): Promise<Run> {
  // Every backend and background process of the server (a new one during the run starts at 0).
  const pids = async () =>
    withClient(adminUrl, async (c) =>
      (await c.query<{ pid: number }>('SELECT pid FROM pg_stat_activity')).rows.map((r) => r.pid),
    );
  const before = await pids();
  const pg0 = cpuSecondsOf(before);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let from = 0; from < readings.length; from += SLICE) {
    writer.write(readings.slice(from, from + SLICE));
    await yieldToEventLoop();
  }
  await writer.flush();
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const pgSeconds = cpuSecondsOf([...new Set([...before, ...(await pids())])]) - pg0;
  return {
    perS: Math.round(readings.length / seconds),
    convoiUs: Number(((cpu.user + cpu.system) / readings.length).toFixed(1)),
    postgresUs: Number(((pgSeconds * 1e6) / readings.length).toFixed(1)),
  };
}

async function main(): Promise<void> {
  Logger.overrideLogger(['error']);
  const server = await startPostgres();
  const readings = fleetReadings(READINGS);
  const results: Record<`${SeriesStoreKind}${'' | '-replay'}`, Run[]> = {
    embedded: [],
    postgres: [],
    'embedded-replay': [],
    'postgres-replay': [],
  };
  try {
    await withClient(server.url, async (c) => {
      for (const setting of ['fsync', 'synchronous_commit', 'full_page_writes'])
        await c.query(`ALTER SYSTEM SET ${setting} = on`);
      await c.query('SELECT pg_reload_conf()');
    });
    for (let round = 0; round < ROUNDS; round++)
      for (const kind of ['embedded', 'postgres'] as const) {
        const url = kind === 'postgres' ? await server.createDatabase() : undefined;
        const series = await openSeriesStore(kind, { url });
        // New rows, then the same readings again: every row takes the ON CONFLICT merge (a replay).
        for (const phase of ['new', 'replay'] as const) {
          const r = await measure(series.writer, readings, server.url);
          results[phase === 'new' ? kind : (`${kind}-replay` as const)].push(r);
          console.error(`round ${round} ${kind} ${phase}: ${JSON.stringify(r)}`);
        }
        await series.close();
      }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const summary = Object.fromEntries(
      Object.entries(results).map(([kind, runs]) => [
        kind,
        {
          readingsPerSecond: median(runs.map((r) => r.perS)),
          convoiCpuUsPerReading: median(runs.map((r) => r.convoiUs)),
          postgresCpuUsPerReading: median(runs.map((r) => r.postgresUs)),
          runs,
        },
      ]),
    );
    console.log(
      JSON.stringify(
        {
          bench: 'postgres-series',
          date: new Date().toISOString(),
          machine: {
            cpus: cpus().length,
            loadAverage1m: Number(loadavg()[0].toFixed(2)),
            node: process.version,
          },
          readings: READINGS,
          containers: CONTAINERS,
          rounds: ROUNDS,
          ...summary,
        },
        null,
        2,
      ),
    );
  } finally {
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
