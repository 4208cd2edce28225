import Database from 'better-sqlite3';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { cpuSeconds, machineTicks, memoryMb, threadCpuSeconds } from '../support/proc-stats.js';
import type { BenchSettings } from './bench-settings.js';
import { withConvoi, type SessionEnd } from './convoi-session.js';

/** The goal for the idle fleet, % of one core. */
export const IDLE_CPU_GOAL_PCT = 5;
/** After the warm-up: the write-behind stores and the state checkpoint catch up before the window. */
const SETTLE_MS = 10_000;
/** The window is read in slices too: a periodic job shows as a slice above the others. */
const SLICE_MS = 10_000;

export interface IdleFleetResult {
  /**
   * Containers with a stored journey state when the window began: those that reported (rule
   * states are not counted: a quiet one is not stored, the first offline tick builds it).
   */
  containersWithJourneyState: number;
  idleConnections: number;
  seconds: number;
  /** convoi's CPU, all threads, over the window: % of one core. */
  cpuPct: number;
  /** The same by thread name (`main`; `node`: the workers and libuv's pool), under 0.05 % left out. */
  cpuPctByThread: Record<string, number>;
  /** convoi's CPU in each {@link SLICE_MS} slice of the window, % of one core. */
  cpuPctBySlice: number[];
  rssMb: number;
  /** What else ran on the machine meanwhile (busy share of all cores, load average at the end). */
  machineBusyPct: number;
  loadAverage: number;
  end: SessionEnd;
}

const r1 = (n: number) => Math.round(n * 10) / 10;

/**
 * The fleet at rest (issue "The way of a reading": background CPU ≤ 5 % of a core): convoi on the
 * 150,000-container fleet where every container has reported once (the memory scenario's data
 * dir, restored at start: live, rule and journey state for all of them), the probe containers'
 * warm-up, then no traffic but the 1,000 idle connections' keep-alives. What it spends then is
 * what its timers cost: the offline tick, the write-behind flushes, the state checkpoint…
 */
export async function idleFleet(settings: BenchSettings, template: string): Promise<IdleFleetResult> {
  const { result, end } = await withConvoi({ label: 'idle-fleet', template }, async (s) => {
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const db = new Database(join(s.dataDir, 'convoi.sqlite'), { readonly: true, fileMustExist: true });
    const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
    const containersWithJourneyState = count('SELECT COUNT(*) AS n FROM journey_state');
    db.close();

    const pid = s.platform.pid;
    const machine0 = machineTicks();
    const threads0 = threadCpuSeconds(pid);
    const t0 = performance.now();
    const slices: number[] = [];
    let sliceCpu = cpuSeconds(pid);
    const cpu0 = sliceCpu;
    for (let at = SLICE_MS; at <= settings.idleSeconds * 1000; at += SLICE_MS) {
      await new Promise((r) => setTimeout(r, t0 + at - performance.now()));
      const now = cpuSeconds(pid);
      slices.push(r1((100 * (now - sliceCpu) * 1000) / SLICE_MS));
      sliceCpu = now;
    }
    const seconds = (performance.now() - t0) / 1000;
    const threads1 = threadCpuSeconds(pid);
    const machine1 = machineTicks();
    const cpuPctByThread: Record<string, number> = {};
    for (const [name, after] of threads1) {
      const pct = r1((100 * (after - (threads0.get(name) ?? 0))) / seconds);
      if (pct >= 0.05) cpuPctByThread[name] = pct;
    }
    const busy = 1 - (machine1.idle - machine0.idle) / Math.max(1, machine1.total - machine0.total);
    return {
      containersWithJourneyState,
      idleConnections: s.load.idleConnected,
      seconds: r1(seconds),
      cpuPct: r1((100 * (sliceCpu - cpu0)) / seconds),
      cpuPctByThread,
      cpuPctBySlice: slices,
      rssMb: Math.round(memoryMb(pid).rssMb),
      machineBusyPct: Math.round(100 * busy),
      loadAverage: r1(loadavg()[0]),
    };
  });
  process.stdout.write(
    `    idle-fleet: ${result.cpuPct} % of a core over ${result.seconds} s (${JSON.stringify(result.cpuPctByThread)}), ` +
      `slices ${result.cpuPctBySlice.join(' ')}\n`,
  );
  return { ...result, end };
}
