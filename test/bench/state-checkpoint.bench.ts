// State checkpoint bench: N containers (150,000 by default, 64 partitions), every one changed
// (mode `all`: its page numbers, a rule state under way, a journey row; mode `pages`: its page
// numbers only, the common case, rules idle), then one checkpoint and a restore of
// everything by a second process, on the SQLite file and on a real PostgreSQL (durable settings),
// the two alternated. Per run: the checkpoint's wall time, the main thread's busy time in it
// (event-loop utilisation: what ingestion and REST wait behind), its longest stall, the sum of
// the garbage collector's pauses in it, and the CPU time PostgreSQL's processes spent on it
// (backends, writers, autovacuum; from its start to 1 s after its end; 0 on SQLite); the
// restore's wall time. Prints one JSON line per run, then the medians.
// On PostgreSQL the giver writes as a cluster processor holding every partition does: fenced by
// each partition's epoch (partition-fence.ts); BENCH_FENCE=off writes unfenced, as one node does.
// Run: node dist/test/bench/state-checkpoint.bench.js [containers] [rounds] [all|pages]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerformanceObserver, monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { ManualClock } from '#src/common/clock.js';
import { LeaseSession, leaseConnect } from '#src/leases/lease-session.js';
import { bumpEpochs } from '#src/leases/partition-epochs.js';
import { fillState, STATE_T } from '#src/state/container-states.testing.js';
import type { StoreDialect } from '#src/storage/store-migration.js';
import { startPostgres } from '#test/support/postgres.js';
import { openStateProcess } from '#test/support/state-on-store.js';
import { processTreeCpuSeconds } from './support/proc-stats.js';

const CONTAINERS = Number(process.argv[2] ?? 150_000);
const ROUNDS = Number(process.argv[3] ?? 3);
const MODE = process.argv[4] ?? 'all';
const PARTITIONS = 64;
const FENCED = process.env.BENCH_FENCE !== 'off';

interface Run {
  dialect: StoreDialect;
  checkpointWallMs: number;
  checkpointBusyMs: number;
  longestStallMs: number;
  gcPauseMs: number;
  postgresCpuMs: number;
  restoreWallMs: number;
  restored: number;
}

const postgres = await startPostgres({ durable: true });
const round = (ms: number) => Math.round(ms * 10) / 10;

async function once(dialect: StoreDialect): Promise<Run> {
  const url = dialect === 'postgres' ? await postgres.createDatabase() : undefined;
  const dataDir = dialect === 'sqlite' ? mkdtempSync(join(tmpdir(), 'state-bench-')) : undefined;
  const clock = new ManualClock(STATE_T);
  const giver = await openStateProcess(url, clock, PARTITIONS, undefined, dataDir);
  if (url !== undefined && FENCED) {
    const lease = new LeaseSession(leaseConnect(url, 'bench'), () => undefined);
    await lease.open();
    giver.fence.hold(
      await bumpEpochs(
        lease,
        Array.from({ length: PARTITIONS }, (_, p) => p),
      ),
    );
    await lease.close();
  }
  for (let n = 0; n < CONTAINERS; n++) fillState(giver.states, `C${n}`, n);
  if (MODE === 'pages') {
    // Written once: what changes then is the numbers only.
    await giver.states.writeBehind();
    for (let n = 0; n < CONTAINERS; n++) giver.states.pages.markDirty(giver.states.get(`C${n}`)!.slot);
  }

  const postgresCpu = () => (dialect === 'postgres' ? processTreeCpuSeconds(postgres.pid()!) * 1000 : 0);
  const delay = monitorEventLoopDelay({ resolution: 1 });
  const elu = performance.eventLoopUtilization();
  const started = performance.now();
  const postgresBefore = postgresCpu();
  delay.enable();
  let gcPauseMs = 0;
  const gc = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gcPauseMs += entry.duration;
  });
  gc.observe({ entryTypes: ['gc'] });
  giver.checkpoint.applied(CONTAINERS);
  await giver.checkpoint.checkpoint();
  delay.disable();
  gc.disconnect();
  const checkpointWallMs = performance.now() - started;
  const busy = performance.eventLoopUtilization(elu);
  // What PostgreSQL does after the commits (WAL writer, background writer) is the checkpoint's too.
  await sleep(1000);
  const postgresCpuMs = postgresCpu() - postgresBefore;
  if (giver.checkpoint.position() !== CONTAINERS) throw new Error('the checkpoint stored no position');

  const taker = await openStateProcess(url, clock, PARTITIONS, [], dataDir);
  const restoring = performance.now();
  await taker.states.restore(Array.from({ length: PARTITIONS }, (_, p) => p));
  const restoreWallMs = performance.now() - restoring;
  const restored = taker.states.size();
  await taker.close();
  await giver.close();
  if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
  return {
    dialect,
    checkpointWallMs: round(checkpointWallMs),
    checkpointBusyMs: round(busy.active),
    longestStallMs: round(delay.max / 1e6),
    gcPauseMs: round(gcPauseMs),
    postgresCpuMs: round(postgresCpuMs),
    restoreWallMs: round(restoreWallMs),
    restored,
  };
}

const runs: Run[] = [];
for (let r = 0; r < ROUNDS; r++)
  for (const dialect of r % 2 === 0 ? (['sqlite', 'postgres'] as const) : (['postgres', 'sqlite'] as const)) {
    const run = await once(dialect);
    runs.push(run);
    process.stdout.write(`${JSON.stringify({ ...run, mode: MODE, fenced: FENCED })}\n`);
  }
await postgres.stop();

const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
for (const dialect of ['sqlite', 'postgres'] as const) {
  const mine = runs.filter((r) => r.dialect === dialect);
  const summary = Object.fromEntries(
    (
      [
        'checkpointWallMs',
        'checkpointBusyMs',
        'longestStallMs',
        'gcPauseMs',
        'postgresCpuMs',
        'restoreWallMs',
      ] as const
    ).map((key) => [
      key,
      {
        median: median(mine.map((r) => r[key])),
        min: Math.min(...mine.map((r) => r[key])),
        max: Math.max(...mine.map((r) => r[key])),
      },
    ]),
  );
  process.stdout.write(
    `${JSON.stringify({ dialect, containers: CONTAINERS, runs: mine.length, fenced: FENCED, ...summary })}\n`,
  );
}
