import { loadavg } from 'node:os';
import { join } from 'node:path';
import { TELEMETRY_FILE } from '#src/telemetry/embedded/telemetry-database.js';
import { memoryMb, threadIoBytes } from '../support/proc-stats.js';
import { WalIndexSampler, type WalWindow } from '../support/wal-index-sampler.js';
import type { BenchSettings } from './bench-settings.js';
import { withConvoi, type SessionEnd } from './convoi-session.js';
import { fleetOrder } from './fleet-order.js';
import { measureWindow, type WindowResult } from './measure.js';

/** What convoi spent in one soak window besides the readings: from its metrics, before and after. */
export interface SoakWindowCost {
  /** V8 garbage collection, ms, by kind (major, minor, incremental, weakcb). */
  gcMs: Record<string, number>;
  /** Offline-rule ticks in the window and their time, ms. */
  ruleTicks: number;
  ruleTickMs: number;
  /** Time-series batches written and their time, ms. */
  telemetryBatches: number;
  telemetryBatchMs: number;
  heapUsedMb: number;
  /** Mean time of one readings transaction in the store thread, ms. */
  telemetryTransactionMs: number;
  /** Readings transactions that took over 10 ms, and over 50 ms (from the histogram's buckets). */
  telemetryTransactionsOver10Ms: number;
  telemetryTransactionsOver50Ms: number;
}

/** What the time-series file's storage did in a soak window: its WAL, and each thread's I/O. */
export interface SoakWindowStorage {
  /** The WAL of telemetry.sqlite (frames are 4 KB pages). */
  wal: WalWindow;
  /** Frames appended per stored reading: the pages each reading dirtied, copied into the WAL. */
  framesPerReading: number;
  /** MB each thread passed to write() and read() in the window, by thread name. */
  ioMb: Record<string, { written: number; read: number }>;
}

/** One soak window: its figures and the platform's RSS at its end. */
export interface SoakWindow {
  window: WindowResult;
  rssMb: number;
  cost: SoakWindowCost;
  storage: SoakWindowStorage;
}

export interface SoakResult {
  windows: SoakWindow[];
  /** RSS at the end of each window, MB (the same as in `windows`, for the flatness check). */
  rssMb: number[];
  /** Load average of the machine at the start and the end (other work on the same cores). */
  loadAverage: { start: number; end: number };
  end: SessionEnd;
}

const SOAK_WINDOW_S = 30;

/** 15,000/s for the soak duration in 30 s windows: p99 per window, RSS and what else was spent. */
export async function convoiSoak(settings: BenchSettings, template: string): Promise<SoakResult> {
  const loadStart = Math.round(loadavg()[0] * 10) / 10;
  const { result, end } = await withConvoi(
    { label: 'soak-15000', template },
    async ({ target, load, platform, dataDir }) => {
      const windows: SoakWindow[] = [];
      const count = Math.max(1, Math.round(settings.soakSeconds / SOAK_WINDOW_S));
      const devices = fleetOrder(settings.jsonDevices);
      let before = await platform.metrics();
      const wal = new WalIndexSampler(join(dataDir, TELEMETRY_FILE));
      wal.start();
      let ioBefore = threadIoBytes(platform.pid);
      try {
        for (let i = 0; i < count && platform.alive; i++) {
          const window = await measureWindow(target, load, 'json', devices, 15_000, SOAK_WINDOW_S, 3000);
          const after = await platform.metrics();
          const rssMb = Math.round(memoryMb(platform.pid).rssMb);
          const cost = windowCost(before, after);
          const ioAfter = threadIoBytes(platform.pid);
          const walWindow = wal.take();
          const storage: SoakWindowStorage = {
            wal: walWindow,
            framesPerReading:
              Math.round((100 * walWindow.framesAppended) / Math.max(1, window.delivered)) / 100,
            ioMb: ioDelta(ioBefore, ioAfter),
          };
          windows.push({ window, rssMb, cost, storage });
          before = after;
          ioBefore = ioAfter;
          process.stdout.write(
            `    soak ${(i + 1) * SOAK_WINDOW_S} s: p99 ${window.latencyMs.p99} ms, max ${window.latencyMs.max} ms, ` +
              `stored ${window.deliveredPerS}/s, RSS ${rssMb} MB, heap ${cost.heapUsedMb} MB, GC ${JSON.stringify(cost.gcMs)} ms, ` +
              `transaction ${cost.telemetryTransactionMs} ms (${cost.telemetryTransactionsOver10Ms} over 10 ms, ${cost.telemetryTransactionsOver50Ms} over 50), ` +
              `WAL ${JSON.stringify(walWindow)} ${storage.framesPerReading} frames/reading, ` +
              `store CPU ${window.cpuPctByThread?.convoi?.['convoi-store']} %, wal CPU ${window.cpuPctByThread?.convoi?.['convoi-wal']} %, ` +
              `I/O MB ${JSON.stringify(storage.ioMb)}, load ${Math.round(loadavg()[0] * 10) / 10}\n`,
          );
        }
      } finally {
        wal.stop();
      }
      return { windows, rssMb: windows.map((w) => w.rssMb) };
    },
  );
  return { ...result, loadAverage: { start: loadStart, end: Math.round(loadavg()[0] * 10) / 10 }, end };
}

function windowCost(before: Map<string, number>, after: Map<string, number>): SoakWindowCost {
  const delta = (series: string) => (after.get(series) ?? 0) - (before.get(series) ?? 0);
  const gcMs: Record<string, number> = {};
  for (const series of after.keys()) {
    const kind = /^convoi_process_nodejs_gc_duration_seconds_sum\{kind="(\w+)"\}$/.exec(series)?.[1];
    if (kind !== undefined) gcMs[kind] = Math.round(delta(series) * 1000);
  }
  return {
    gcMs,
    ruleTicks: delta('convoi_rule_tick_seconds_count'),
    ruleTickMs: Math.round(delta('convoi_rule_tick_seconds_sum') * 1000),
    telemetryBatches: delta('convoi_telemetry_batch_seconds_count'),
    telemetryBatchMs: Math.round(delta('convoi_telemetry_batch_seconds_sum') * 1000),
    heapUsedMb: Math.round((after.get('convoi_process_nodejs_heap_size_used_bytes') ?? 0) / 2 ** 20),
    telemetryTransactionMs:
      Math.round(
        (100 * 1000 * delta('convoi_telemetry_batch_seconds_sum')) /
          Math.max(1, delta('convoi_telemetry_batch_seconds_count')),
      ) / 100,
    telemetryTransactionsOver10Ms:
      delta('convoi_telemetry_batch_seconds_count') -
      delta('convoi_telemetry_batch_seconds_bucket{le="0.01"}'),
    telemetryTransactionsOver50Ms:
      delta('convoi_telemetry_batch_seconds_count') -
      delta('convoi_telemetry_batch_seconds_bucket{le="0.05"}'),
  };
}

/** MB written and read by each thread between two {@link threadIoBytes} readings (threads over 0.1 MB). */
function ioDelta(
  before: Map<string, { written: number; read: number }>,
  after: Map<string, { written: number; read: number }>,
): Record<string, { written: number; read: number }> {
  const mb = (bytes: number) => Math.round((10 * bytes) / 2 ** 20) / 10;
  const out: Record<string, { written: number; read: number }> = {};
  for (const [thread, now] of after) {
    const was = before.get(thread) ?? { written: 0, read: 0 };
    const io = { written: mb(now.written - was.written), read: mb(now.read - was.read) };
    if (io.written >= 0.1 || io.read >= 0.1) out[thread] = io;
  }
  return out;
}
