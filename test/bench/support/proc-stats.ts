import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat times (getconf CLK_TCK; 100 on Linux x86). */
const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU seconds (user + system) of a process (all its threads) so far, from /proc/<pid>/stat; NaN once it is gone. */
export function cpuSeconds(pid: number, path = `/proc/${pid}/stat`): number {
  try {
    const stat = readFileSync(path, 'utf8');
    // The command name (field 2) may hold spaces: fields are counted after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  } catch {
    return Number.NaN;
  }
}

/**
 * CPU seconds of a process and all its descendants so far: its own, its reaped children's
 * (cutime, cstime) and its live children's, recursively. A server that forks a process per
 * connection (PostgreSQL's backends) is measured whole; a child that ends between two readings
 * moves from the live sum to the reaped one, so nothing is counted twice or lost.
 */
export function processTreeCpuSeconds(pid: number): number {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return Number.NaN;
  }
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  let seconds = (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / CLK_TCK;
  for (const child of childrenOf(pid)) {
    const childSeconds = processTreeCpuSeconds(child);
    if (Number.isFinite(childSeconds)) seconds += childSeconds; // NaN: it ended meanwhile
  }
  return seconds;
}

/** Thread ids of a process (/proc/<pid>/task); none once it is gone. */
function threadIds(pid: number): string[] {
  try {
    return readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
}

/** Live children of a process, from each of its threads' /proc/<pid>/task/<tid>/children. */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const tid of threadIds(pid)) {
    try {
      const list = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim();
      if (list !== '') out.push(...list.split(' ').map(Number));
    } catch {
      /* the thread ended meanwhile */
    }
  }
  return out;
}

/** Resident set size now and its peak (VmHWM), MB. */
export function memoryMb(pid: number): { rssMb: number; peakRssMb: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
    return { rssMb: kb('VmRSS') / 1024, peakRssMb: kb('VmHWM') / 1024 };
  } catch {
    return { rssMb: Number.NaN, peakRssMb: Number.NaN };
  }
}

/** CPU use of a set of named processes (each with its descendants) over an interval, in % of one core. */
export class CpuMeter {
  private readonly start = new Map<string, number>();
  private startedAt = 0;

  constructor(private readonly pids: ReadonlyMap<string, number>) {}

  begin(): void {
    this.startedAt = performance.now();
    for (const [name, pid] of this.pids) this.start.set(name, processTreeCpuSeconds(pid));
  }

  /** % of one core per process since {@link begin}. */
  end(): Record<string, number> {
    const seconds = (performance.now() - this.startedAt) / 1000;
    const out: Record<string, number> = {};
    for (const [name, pid] of this.pids) {
      out[name] =
        Math.round((1000 * (processTreeCpuSeconds(pid) - (this.start.get(name) ?? 0))) / seconds) / 10;
    }
    return out;
  }
}

/** Whole-machine idle share over an interval (/proc/stat): other work on the 2 cores shows here. */
export function machineTicks(): { idle: number; total: number } {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    return { idle: f[3] + f[4], total: f.reduce((a, b) => a + b, 0) };
  } catch {
    return { idle: 0, total: 0 };
  }
}

/** CPU seconds of each thread of a process (/proc/<pid>/task/<tid>/stat), by thread id. */
function threadSeconds(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of threadIds(pid)) {
    // NaN: the thread ended between the listing and the read.
    const seconds = cpuSeconds(Number(tid), `/proc/${pid}/task/${tid}/stat`);
    if (Number.isFinite(seconds)) out.set(tid, seconds);
  }
  return out;
}

/**
 * CPU seconds of a process's threads so far, summed by thread name (/proc/<pid>/task/<tid>/comm),
 * sorted by name. The main thread (tid = pid) is `main`: Node's worker threads and libuv's pool
 * keep the process's name (`node`), V8's helpers have their own (`V8 DefaultWorke`, …).
 */
export function threadCpuSeconds(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const [tid, seconds] of threadSeconds(pid)) {
    const name = threadName(pid, tid);
    if (name !== undefined) out.set(name, (out.get(name) ?? 0) + seconds);
  }
  return new Map([...out].sort(([a], [b]) => a.localeCompare(b)));
}

/** A thread's name: `main` for the main thread (tid = pid), else /proc/<pid>/task/<tid>/comm. */
function threadName(pid: number, tid: string): string | undefined {
  if (tid === String(pid)) return 'main';
  try {
    return readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
  } catch {
    return undefined; // the thread ended meanwhile
  }
}

/** What {@link ThreadMeter} measured of each process, in % of one core. */
export interface ThreadShares {
  /**
   * The busiest thread of each process: a process whose work sits on one thread (Node's main
   * thread, the shim) is at its limit near 100 %, whatever the process total says.
   */
  busiestPct: Record<string, number>;
  /**
   * Each process's threads summed by name (`main`, convoi's named workers `convoi-broker`,
   * `convoi-store`, `convoi-wal`, V8's helpers, `node` for libuv's pool); names under 0.1 % left out.
   */
  byNamePct: Record<string, Record<string, number>>;
}

/** CPU of each process's threads over an interval, read once at each end (by thread id). */
export class ThreadMeter {
  private readonly start = new Map<string, Map<string, number>>();
  private startedAt = 0;

  constructor(private readonly pids: ReadonlyMap<string, number>) {}

  begin(): void {
    this.startedAt = performance.now();
    for (const [name, pid] of this.pids) this.start.set(name, threadSeconds(pid));
  }

  end(): ThreadShares {
    const pct = (cpu: number) =>
      Math.round((1000 * cpu) / ((performance.now() - this.startedAt) / 1000)) / 10;
    const shares: ThreadShares = { busiestPct: {}, byNamePct: {} };
    for (const [name, pid] of this.pids) {
      const before = this.start.get(name) ?? new Map<string, number>();
      let busiest = 0;
      const byName = new Map<string, number>();
      for (const [tid, now] of threadSeconds(pid)) {
        const spent = now - (before.get(tid) ?? 0);
        busiest = Math.max(busiest, spent);
        const thread = threadName(pid, tid);
        if (thread !== undefined) byName.set(thread, (byName.get(thread) ?? 0) + spent);
      }
      shares.busiestPct[name] = pct(busiest);
      shares.byNamePct[name] = {};
      for (const [thread, spent] of [...byName].sort(([a], [b]) => a.localeCompare(b)))
        if (pct(spent) >= 0.1) shares.byNamePct[name][thread] = pct(spent);
    }
    return shares;
  }
}

/** Busy share of the whole machine between two {@link machineTicks} readings, in % of one core. */
export function machineBusyPct(
  before: { idle: number; total: number },
  after: { idle: number; total: number },
  cores: number,
): number {
  const total = after.total - before.total;
  if (total <= 0) return Number.NaN;
  return Math.round(1000 * cores * (1 - (after.idle - before.idle) / total)) / 10;
}

/**
 * Bytes each thread of a process has passed to write() and read() so far (`wchar`, `rchar` of
 * /proc/<pid>/task/<tid>/io, page cache included), summed by thread name as in {@link threadCpuSeconds}.
 */
export function threadIoBytes(pid: number): Map<string, { written: number; read: number }> {
  const out = new Map<string, { written: number; read: number }>();
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    const name = threadName(pid, tid);
    let text: string;
    try {
      text = readFileSync(`/proc/${pid}/task/${tid}/io`, 'utf8');
    } catch {
      continue; // the thread ended meanwhile
    }
    if (name === undefined) continue;
    const field = (key: string) => Number(new RegExp(`^${key}: (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
    const sum = out.get(name) ?? { written: 0, read: 0 };
    out.set(name, { written: sum.written + field('wchar'), read: sum.read + field('rchar') });
  }
  return out;
}
