import { influxdInstalled, startInflux, startShim } from '#test/support/influx/index.js';
import { cpuSeconds } from '../support/proc-stats.js';
import type { BenchSettings } from './bench-settings.js';
import { withConvoi, type SessionEnd } from './convoi-session.js';

/** Seconds of load before the outage (the first 5 are not measured). */
const LIVE_S = 20;
/** Load after influxd's return: the outbox should be empty well before it ends. */
const AFTER_S = 60;
/** After the load, how long the outbox may still take to empty before the run gives up. */
const DRAIN_BOUND_S = 120;
const SAMPLE_MS = 500;

interface Sample {
  at: number;
  cpuS: number;
  outboxLines: number;
  written: number;
}

export interface CatchupScenarioResult {
  scenario: string;
  readingsPerSecond: number;
  outageS: number;
  outboxLinesAtReturn: number;
  peakOutboxLinesAfterReturn: number;
  outboxGrewForSAfterReturn: number;
  /** null: not empty while the load went on (see emptyAfterLoadS). */
  emptyAfterReturnS: number | null;
  emptyAfterLoadS: number | null;
  liveCpuUsPerLine: number;
  livePercentOfCore: number;
  catchUpCpuUsPerLine: number;
  catchUpPercentOfCore: number;
  acked: number;
  end: SessionEnd;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const round = (x: number) => Number(x.toFixed(1));

/**
 * The whole platform (MQTT QoS 1 → inbox → pipeline → InfluxDB writer) at `rate` readings/s
 * while influxd is stopped for `outageS` seconds and started again (issue: store-and-forward
 * under faults). Measures how long the outbox takes to empty after the return, the load going
 * on, and the platform process's CPU per line written, live and during the catch-up.
 */
export async function influxCatchup(
  settings: BenchSettings,
  template: string,
  rate: number,
  outageS: number,
): Promise<CatchupScenarioResult | { scenario: string; skipped: string }> {
  const scenario = `influx-catchup-${rate}`;
  if (!influxdInstalled()) return { scenario, skipped: 'influxd not installed' };
  const influx = await startInflux();
  const shim = await startShim(influx.url);
  try {
    const { result, end } = await withConvoi(
      {
        label: scenario,
        template,
        env: { INFLUX_URL: shim.url, INFLUX_BUCKET: 'telemetry/autogen', INFLUX_TOKEN: 'bench' },
        influxUrl: influx.url,
      },
      async ({ platform, load }) => {
        const samples: Sample[] = [];
        const sample = async () => {
          const m = await platform.metrics();
          const s: Sample = {
            at: Date.now(),
            cpuS: cpuSeconds(platform.pid),
            outboxLines: m.get('convoi_influx_outbox_lines') ?? 0,
            written: m.get('convoi_influx_points_written_total') ?? 0,
          };
          samples.push(s);
          return s;
        };
        const running = load.run('json', settings.jsonDevices, rate, LIVE_S + outageS + AFTER_S);
        await sleep(5000);
        const liveFrom = await sample();
        await sleep((LIVE_S - 5) * 1000);
        const liveTo = await sample();
        await influx.stop();
        while (Date.now() < liveTo.at + outageS * 1000) {
          await sleep(SAMPLE_MS);
          await sample();
        }
        await influx.start();
        const returned = await sample();
        let drained: Sample | undefined;
        let loadDone = false;
        const acked = running.then((r) => {
          loadDone = true;
          return r.acked;
        });
        let drainedDuringLoad = false;
        const bound = returned.at + (AFTER_S + DRAIN_BOUND_S) * 1000;
        while (drained === undefined && Date.now() < bound) {
          await sleep(SAMPLE_MS);
          const s = await sample();
          if (s.outboxLines === 0) {
            drained = s;
            drainedDuringLoad = !loadDone;
          }
        }
        const ackedCount = await acked;
        const after = samples.filter((s) => s.at >= returned.at);
        const peak = after.reduce((best, s) => (s.outboxLines > best.outboxLines ? s : best), returned);
        const window = drained ?? samples[samples.length - 1];
        const cpuPerLine = (a: Sample, b: Sample) =>
          round(((b.cpuS - a.cpuS) * 1e6) / Math.max(1, b.written - a.written));
        const percent = (a: Sample, b: Sample) => round((100 * (b.cpuS - a.cpuS) * 1000) / (b.at - a.at));
        return {
          scenario,
          readingsPerSecond: rate,
          outageS,
          outboxLinesAtReturn: returned.outboxLines,
          peakOutboxLinesAfterReturn: peak.outboxLines,
          outboxGrewForSAfterReturn: round((peak.at - returned.at) / 1000),
          emptyAfterReturnS: drained && drainedDuringLoad ? round((drained.at - returned.at) / 1000) : null,
          emptyAfterLoadS: drained && !drainedDuringLoad ? round((drained.at - returned.at) / 1000) : null,
          liveCpuUsPerLine: cpuPerLine(liveFrom, liveTo),
          livePercentOfCore: percent(liveFrom, liveTo),
          catchUpCpuUsPerLine: cpuPerLine(returned, window),
          catchUpPercentOfCore: percent(returned, window),
          acked: ackedCount,
        };
      },
    );
    return { ...result, end };
  } finally {
    await shim.close();
    await influx.close();
  }
}
