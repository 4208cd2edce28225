import { cpus } from 'node:os';
import type { WindowResult } from './measure.js';
import type { StepUpResult } from './step-up.js';

/** The processes of the InfluxDB path, in the order a reading goes through them. */
const PATH = ['convoi', 'shim', 'influxd'] as const;
/** A thread this busy has no room left: its process cannot go faster however many cores idle. */
const SATURATED_THREAD_PCT = 85;
/** The machine is the limit when this share of all its cores is busy (other work included). */
const SATURATED_MACHINE_SHARE = 0.85;

/** Which process limits the InfluxDB path, read from the CPU figures of one step. */
export interface InfluxLimit {
  /** The step read: the first that was not sustainable, else the fastest. */
  atPerS: number;
  sustainable: boolean;
  cpuPct: Record<string, number>;
  /** CPU per reading offered, µs: what each process would need of a quiet machine at any rate. */
  cpuUsPerReading: Record<string, number>;
  busiestThreadPct: Record<string, number>;
  machineBusyPct?: number;
  /** The limiting process (or `machine` when the cores are full and no single thread is). */
  limiter: string;
  verdict: string;
}

export function limitOf(result: Pick<StepUpResult, 'steps' | 'highestSustainablePerS'>): InfluxLimit {
  const failed = result.steps.find((s) => !s.sustainable);
  const step: WindowResult | undefined =
    failed ?? [...result.steps].sort((a, b) => b.targetPerS - a.targetPerS)[0];
  if (step === undefined) {
    return {
      atPerS: 0,
      sustainable: false,
      cpuPct: {},
      cpuUsPerReading: {},
      busiestThreadPct: {},
      limiter: 'none',
      verdict: 'no step ran',
    };
  }
  const pick = (from: Record<string, number> | undefined) =>
    Object.fromEntries(PATH.map((name) => [name, from?.[name] ?? Number.NaN]));
  const cpuPct = pick(step.cpuPct);
  const threads = pick(step.busiestThreadPct);
  const perReading = Object.fromEntries(
    PATH.map((name) => [name, Math.round((cpuPct[name] * 100_000) / Math.max(1, step.offeredPerS)) / 10]),
  );
  const base = {
    atPerS: step.targetPerS,
    sustainable: step.sustainable,
    cpuPct,
    cpuUsPerReading: perReading,
    busiestThreadPct: threads,
    machineBusyPct: step.machineBusyPct,
  };
  const top = (figures: Record<string, number>) =>
    PATH.reduce((a, b) => ((figures[b] ?? 0) > (figures[a] ?? 0) ? b : a));
  const describe = (name: string) =>
    `${name} ${cpuPct[name]} % of a core, ${perReading[name]} µs per reading (busiest thread ${threads[name]} %)`;
  const all = PATH.map(describe).join(', ');
  const busiestThread = top(threads);
  if (threads[busiestThread] >= SATURATED_THREAD_PCT) {
    return {
      ...base,
      limiter: busiestThread,
      verdict: `${busiestThread}: a thread of it is saturated at ${step.targetPerS}/s (${all})`,
    };
  }
  const cores = cpus().length;
  const machine = step.machineBusyPct ?? Number.NaN;
  const biggest = top(cpuPct);
  if (machine >= SATURATED_MACHINE_SHARE * cores * 100) {
    return {
      ...base,
      limiter: biggest,
      verdict:
        `the machine's ${cores} cores are full at ${step.targetPerS}/s (${machine} % of ${cores * 100} % busy, ` +
        `other work included), most of it ${biggest}: ${all}`,
    };
  }
  return {
    ...base,
    limiter: biggest,
    verdict: `no thread nor the machine is saturated at ${step.targetPerS}/s; ${biggest} uses the most CPU (${all})`,
  };
}
