// Benchmark (not a test): the InfluxDB outbox catching up while the load goes on. A writer
// process takes readings at --rate/s (production writer settings); influxd is stopped for
// --outage s, started again, and the bench measures how long the outbox takes to empty after
// the return, with the load continuing, and the writer process's CPU per line: live, during the
// outage and during the catch-up (production writer settings: AppConfig defaults). Appends its run to docs/bench/outbox-catchup.json (--out).
// Run: npm run build && node dist/test/bench/outbox-catchup.bench.js --label after
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { defaultConfig } from '#src/app-settings.js';
import { startInfluxStack, tempDataDir } from '#test/support/influx/influx-fixture.js';
import type { CatchupCommand, CatchupEvent, PhaseMark } from './load/outbox-catchup.protocol.js';
import { BenchChild } from './support/child-process.js';

const { values: args } = parseArgs({
  options: {
    label: { type: 'string', default: 'current' },
    rate: { type: 'string', default: '2500' },
    outage: { type: 'string', default: '60' },
    out: { type: 'string', default: 'docs/bench/outbox-catchup.json' },
  },
});
const RATE = Number(args.rate);
const OUTAGE_S = Number(args.outage);
const WARMUP_S = 10;
const LIVE_S = 20;
/** The bound on the catch-up: past it the run reports what is left instead of waiting. */
const CATCHUP_MAX_S = 180;
const POST_S = 10;

const sleep = (s: number) => new Promise((resolve) => setTimeout(resolve, s * 1000));
const round = (x: number, digits = 1) => Number(x.toFixed(digits));

async function main(): Promise<void> {
  const stack = await startInfluxStack();
  const data = tempDataDir();
  const writer = new BenchChild<CatchupCommand, CatchupEvent>('load/outbox-writer.process.js', [
    stack.proxy.url,
    data.dir,
    String(RATE),
  ]);
  const load1mAtStart = loadavg()[0];
  try {
    await writer.next('ready');
    await writer.request({ type: 'start' }, 'started');
    const phase = async (name: string) =>
      (await writer.request({ type: 'phase', phase: name }, 'marked')).mark;
    await sleep(WARMUP_S);
    const live = await phase('live');
    await sleep(LIVE_S);
    const outage = await phase('outage');
    await stack.influx.stop();
    console.error(`influxd stopped for ${OUTAGE_S} s at ${RATE} readings/s`);
    await sleep(OUTAGE_S);
    const restartAt = Date.now();
    await stack.influx.start();
    const restartS = (Date.now() - restartAt) / 1000;
    const drainedSoon = writer.next('drained', CATCHUP_MAX_S * 1000).then(
      (event) => event.mark,
      () => undefined,
    );
    const returned = await phase('returned');
    const drained = await drainedSoon;
    const window = drained ?? (await phase('catch-up bound'));
    console.error(
      drained
        ? `outbox empty ${round((drained.at - returned.at) / 1000)} s after influxd's return`
        : `outbox NOT empty ${CATCHUP_MAX_S} s after influxd's return: ${window.outboxLines} lines left`,
    );
    await sleep(POST_S);
    const report = await writer.request({ type: 'end' }, 'report', 240_000);
    const rows = await stack.influx.rows('SELECT count("temperatureC") FROM telemetry');
    const stored = rows.length === 0 ? 0 : Number(rows[0].count);
    const perLineUs = (from: PhaseMark, to: PhaseMark, lines: number) =>
      round(((to.cpuS - from.cpuS) * 1e6) / Math.max(lines, 1));
    const outagePerReadingUs = perLineUs(outage, returned, returned.sent - outage.sent);
    const windowCpuUs = (window.cpuS - returned.cpuS) * 1e6;
    const windowWritten = window.written - returned.written;
    const afterReturn = report.outboxLines.filter(([at]) => at >= returned.at);
    const peakAfter = afterReturn.reduce((best, s) => (s[1] > best[1] ? s : best), [returned.at, 0, 0]);
    // When the first replay got through: the retry backoff decides it, not the replay's speed.
    const firstWrite = afterReturn.find((s) => s[2] > returned.written);
    const replayRequests = stack.proxy.requests.filter(
      (r) => r.path.startsWith('/api/v2/write') && r.at >= returned.at && r.at <= window.at,
    ).length;
    const run = {
      label: args.label,
      date: new Date().toISOString(),
      machine: {
        cpus: cpus().length,
        loadAverage1m: { start: round(load1mAtStart, 2), end: round(loadavg()[0], 2) },
        node: process.version,
        influxd: '1.6.7 (Debian) behind the v2 shim and the fault proxy',
      },
      readingsPerSecond: RATE,
      outageS: OUTAGE_S,
      influxRetryMaxMs: defaultConfig().INFLUX_RETRY_MAX_MS,
      influxRestartS: round(restartS),
      outboxLinesAtReturn: returned.outboxLines,
      outboxRowsAtReturn: returned.outboxBatches,
      peakOutboxLinesAfterReturn: peakAfter[1],
      outboxGrewForSAfterReturn: round((peakAfter[0] - returned.at) / 1000),
      firstWriteAfterReturnS: firstWrite ? round((firstWrite[0] - returned.at) / 1000) : null,
      emptyAfterReturnS: drained ? round((drained.at - returned.at) / 1000) : null,
      linesLeftAtBound: drained ? 0 : window.outboxLines,
      catchUpBoundS: CATCHUP_MAX_S,
      cpu: {
        liveUsPerLineWritten: perLineUs(live, outage, outage.written - live.written),
        outageUsPerReading: outagePerReadingUs,
        catchUpUsPerLineWritten: round(windowCpuUs / Math.max(windowWritten, 1)),
        // The catch-up window also takes new readings (into the outbox, at the outage's cost).
        catchUpReplayUsPerLineEstimate: round(
          (windowCpuUs - outagePerReadingUs * (window.sent - returned.sent)) / Math.max(windowWritten, 1),
        ),
        catchUpPercentOfCore: round((100 * (window.cpuS - returned.cpuS) * 1000) / (window.at - returned.at)),
        livePercentOfCore: round((100 * (outage.cpuS - live.cpuS) * 1000) / (outage.at - live.at)),
      },
      replayRequests,
      linesPerReplayRequest: round(windowWritten / Math.max(replayRequests, 1)),
      readingsSent: report.sent,
      pointsStored: stored,
      // Still waiting when the bounded wait after the load ended: not lost, not yet written.
      outboxLinesAfterLoad: report.settled.outboxLines,
      lost: Math.max(0, report.sent - stored - report.settled.outboxLines),
    };
    console.log(JSON.stringify(run, null, 2));
    const file = args.out;
    const previous = existsSync(file)
      ? (JSON.parse(readFileSync(file, 'utf8')) as { runs: unknown[] })
      : { runs: [] };
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(
      file,
      `${JSON.stringify({ bench: 'outbox-catchup', runs: [...previous.runs, run] }, null, 2)}\n`,
    );
  } finally {
    await writer.stop();
    await stack.close();
    data.remove();
  }
}

await main();
