import type { BenchFormat } from '../support/bench-fleet.js';
import { cpus } from 'node:os';
import { CpuMeter, machineBusyPct, machineTicks, memoryMb, ThreadMeter } from '../support/proc-stats.js';
import type { LoadGroup } from '../load/load-group.js';
import type { DeliveryTarget } from './delivery-target.js';

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
  /** The whole machine's busy time, % of one core (other work on the machine included). */
  machineBusyPct?: number;
  rssMb: Record<string, number>;
  peakRssMb: Record<string, number>;
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
  await target.beginWindow();
  cpu.begin();
  threads.begin();
  const ticks = machineTicks();
  const run = await load.run(format, devices, ratePerS, seconds);
  const cpuPct = cpu.end();
  const busiestThreadPct = threads.end();
  const machine = machineBusyPct(ticks, machineTicks(), cpus().length);
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
    machineBusyPct: machine,
    rssMb,
    peakRssMb,
    sustainable:
      run.skipped <= 0.01 * ratePerS * seconds &&
      run.sent >= 0.98 * ratePerS * seconds &&
      delivered >= run.acked &&
      tailMs <= limits.tailMs &&
      p99 <= limits.p99Ms,
  };
}

export interface StepUpResult {
  steps: WindowResult[];
  /** Highest rate of a sustainable step (0 when even the first failed). */
  highestSustainablePerS: number;
}

/**
 * Steps the rate up until a step is not sustainable (all delivered within the tail allowance,
 * p99 ≤ 100 ms, nothing held back), then tries once halfway between the last good and the bad
 * rate; when even the first step fails, halves the rate until one holds, then tries halfway
 * once. Bounded: at most `maxSteps` steps of `stepSeconds`.
 */
export async function stepUp(
  target: DeliveryTarget,
  load: LoadGroup,
  devices: readonly number[],
  options: {
    startPerS: number;
    stepPerS: number;
    stepSeconds: number;
    maxSteps: number;
    maxPerS: number;
    limits?: SustainableLimits;
  },
): Promise<StepUpResult> {
  const steps: WindowResult[] = [];
  let good = 0;
  let bad = 0;
  let refined = false;
  let rate = options.startPerS;
  while (steps.length < options.maxSteps && rate <= options.maxPerS) {
    const step = await measureWindow(
      target,
      load,
      'json',
      devices,
      rate,
      options.stepSeconds,
      Math.max(5000, options.limits?.tailMs ?? 0),
      options.limits,
    );
    steps.push(step);
    process.stdout.write(
      `    ${target.name} step ${rate}/s: offered ${step.offeredPerS}/s, delivered ${step.deliveredPerS}/s, ` +
        `p99 ${step.latencyMs.p99} ms, tail ${step.tailMs} ms → ${step.sustainable ? 'ok' : 'NOT sustainable'}\n`,
    );
    if (step.sustainable) good = Math.max(good, rate);
    else bad = bad === 0 ? rate : Math.min(bad, rate);
    if (bad === 0) {
      rate += options.stepPerS; // still climbing
      continue;
    }
    // A failed step's backlog drains before the next one.
    if (!step.sustainable) await drain(target, 20_000);
    if (good === 0) {
      // Even the first step failed: halve until a step holds, so the figure is a rate, not 0.
      if (rate <= 1000) break;
      rate = Math.max(1000, Math.round(rate / 2 / 500) * 500);
      continue;
    }
    if (refined || bad - good <= options.stepPerS / 2) break;
    rate = Math.round((good + bad) / 2 / 500) * 500;
    refined = true;
  }
  return { steps, highestSustainablePerS: good };
}

/** Waits until delivery stops moving (the backlog is through), at most `maxMs`. */
async function drain(target: DeliveryTarget, maxMs: number): Promise<void> {
  const until = performance.now() + maxMs;
  let last = -1;
  for (let now = await target.delivered(); now !== last && performance.now() < until;) {
    last = now;
    await new Promise((r) => setTimeout(r, 500));
    now = await target.delivered();
  }
}
