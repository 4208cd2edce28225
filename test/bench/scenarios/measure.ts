import type { BenchFormat } from '../support/bench-fleet.js';
import { cpus } from 'node:os';
import { CpuMeter, machineBusyPct, machineTicks, memoryMb, ThreadMeter } from '../support/proc-stats.js';
import type { LoadGroup } from '../load/load-group.js';
import type { CheckpointCount, DeliveryTarget } from './delivery-target.js';

/** The p99 a rate must keep to count as sustainable (issue 11). */
export const SUSTAINABLE_P99_MS = 100;
/** How long the tail may take to arrive after the last publish before it counts as not kept up. */
export const SUSTAINABLE_TAIL_MS = 2000;

/** What a window must keep to count as sustainable; the defaults are issue 11's. */
export interface SustainableLimits {
  p99Ms: number;
  tailMs: number;
}

const ISSUE_11_LIMITS: SustainableLimits = { p99Ms: SUSTAINABLE_P99_MS, tailMs: SUSTAINABLE_TAIL_MS };

/** One measured window: what was offered and what arrived. */
export interface WindowResult {
  target: string;
  format: BenchFormat;
  targetPerS: number;
  seconds: number;
  /** Idle MQTT connections held open during the window. */
  idleConnections: number;
  sent: number;
  acked: number;
  /** Due messages the publishers held back (too many unacknowledged: the broker pushed back). */
  heldBack: number;
  offeredPerS: number;
  delivered: number;
  deliveredPerS: number;
  /** Acknowledged but not yet delivered when the drain gave up: a backlog (convoi keeps it in its inbox), or a loss for the raw brokers. */
  missing: number;
  /** ms after the last publish until everything acknowledged had arrived (or the drain gave up). */
  tailMs: number;
  latencyMs: { samples: number; p50: number; p99: number; max: number };
  ackLatencyMs: { p50: number; p99: number };
  cpuPct: Record<string, number>;
  /** Busiest thread of each measured process (not the load), % of one core. */
  busiestThreadPct?: Record<string, number>;
  /** Each measured process's CPU by thread name (`main`, `convoi-broker`, `convoi-store`, …), % of one core. */
  cpuPctByThread?: Record<string, Record<string, number>>;
  /** The whole machine's busy time, % of one core (other work on the machine included). */
  machineBusyPct?: number;
  rssMb: Record<string, number>;
  peakRssMb: Record<string, number>;
  /** State checkpoints the target completed while the load ran, and their seconds (none: a bare broker). */
  checkpoints: CheckpointCount;
  sustainable: boolean;
}

const r1 = (n: number) => Math.round(n * 10) / 10;

export async function measureWindow(
  target: DeliveryTarget,
  load: LoadGroup,
  format: BenchFormat,
  devices: readonly number[],
  ratePerS: number,
  seconds: number,
  drainMs = 10_000,
  limits: SustainableLimits = ISSUE_11_LIMITS,
): Promise<WindowResult> {
  const pids = new Map(target.processes);
  load.pids.forEach((pid, i) => pids.set(`load-${i}`, pid));
  const cpu = new CpuMeter(pids);
  const threads = new ThreadMeter(target.processes);
  const before = await target.delivered();
  const checkpointsBefore = await target.checkpoints();
  await target.beginWindow();
  cpu.begin();
  threads.begin();
  const ticks = machineTicks();
  const run = await load.run(format, devices, ratePerS, seconds);
  const cpuPct = cpu.end();
  const { busiestPct: busiestThreadPct, byNamePct: cpuPctByThread } = threads.end();
  const machine = machineBusyPct(ticks, machineTicks(), cpus().length);
  const checkpointsAfter = await target.checkpoints();
  const drainStart = performance.now();
  let delivered = (await target.delivered()) - before;
  while (delivered < run.acked && performance.now() - drainStart < drainMs) {
    await new Promise((r) => setTimeout(r, 50));
    delivered = (await target.delivered()) - before;
  }
  const tailMs = Math.round(performance.now() - drainStart);
  const latency = await target.latency();
  const rssMb: Record<string, number> = {};
  const peakRssMb: Record<string, number> = {};
  for (const [name, pid] of target.processes) {
    const m = memoryMb(pid);
    rssMb[name] = Math.round(m.rssMb);
    peakRssMb[name] = Math.round(m.peakRssMb);
  }
  const p99 = latency.percentile(99);
  const sendSeconds = run.sent / Math.max(1, run.offeredPerS);
  return {
    target: target.name,
    format,
    targetPerS: ratePerS,
    seconds: r1(sendSeconds),
    idleConnections: load.idleConnected,
    sent: run.sent,
    acked: run.acked,
    heldBack: run.skipped,
    offeredPerS: run.offeredPerS,
    delivered,
    deliveredPerS: Math.round(delivered / Math.max(0.001, sendSeconds)),
    missing: Math.max(0, run.acked - delivered),
    tailMs,
    latencyMs: { samples: latency.count, p50: latency.percentile(50), p99, max: r1(latency.max) },
    ackLatencyMs: { p50: run.ackLatency.percentile(50), p99: run.ackLatency.percentile(99) },
    cpuPct,
    busiestThreadPct,
    cpuPctByThread,
    machineBusyPct: machine,
    rssMb,
    peakRssMb,
    checkpoints: {
      count: checkpointsAfter.count - checkpointsBefore.count,
      seconds: r1(checkpointsAfter.seconds - checkpointsBefore.seconds),
    },
    sustainable:
      run.skipped <= 0.01 * ratePerS * seconds &&
      run.sent >= 0.98 * ratePerS * seconds &&
      delivered >= run.acked &&
      tailMs <= limits.tailMs &&
      p99 <= limits.p99Ms,
  };
}
