import { readdirSync, readFileSync } from 'node:fs';
import { startInflux, type InfluxServer } from '#test/support/influx/index.js';
import { BenchChild } from './child-process.js';

/** influxd and the v2 shim in front of it, each in its own process so their CPU is measured apart. */
export interface BenchInfluxStack {
  influx: InfluxServer;
  /** Base URL of the shim (what convoi and the raw POSTs write to). */
  shimUrl: string;
  /** Process ids by role, for the CPU meters. */
  pids: { shim: number; influxd: number };
  close(): Promise<void>;
}

type ShimMessage = { type: 'ready'; url: string };

export async function startBenchInflux(): Promise<BenchInfluxStack> {
  const influx = await startInflux();
  const shim = new BenchChild<never, ShimMessage>('load/influx-shim.process.js', [influx.url]);
  try {
    const ready = await shim.next('ready', 30_000);
    return {
      influx,
      shimUrl: ready.url,
      pids: { shim: shim.pid, influxd: childPid('influxd') },
      close: async () => {
        await shim.stop();
        await influx.close();
      },
    };
  } catch (error) {
    await shim.stop();
    await influx.close();
    throw error;
  }
}

/** The pid of this process's child named `comm` (the harness spawns influxd without exposing it). */
function childPid(comm: string): number {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (name === comm && ppid === process.pid) return Number(entry);
    } catch {
      // gone while listing
    }
  }
  throw new Error(`no child process ${comm} of ${process.pid}`);
}
