import type { InfluxStepUpResult } from '../scenarios/influx.scenarios.js';
import type { WindowResult } from '../scenarios/measure.js';
import type { PipelineReport } from './pipeline-report.js';

const perProcess = (figures: Record<string, number>) =>
  Object.entries(figures)
    .map(([name, value]) => `${name} ${value}`)
    .join(', ');

/** A fixed-rate InfluxDB window: where the readings stood and what each process spent on one. */
function fixedLine(name: string, report: PipelineReport): string[] {
  const fixed = report.scenarios[name] as
    { window?: WindowResult; outboxLinesAfterDrain?: number } | undefined;
  const w = fixed?.window;
  if (w === undefined) return [];
  const perReading = ['convoi', 'shim', 'influxd']
    .map(
      (p) => `${p} ${Math.round(((w.cpuPct[p] ?? Number.NaN) * 100_000) / Math.max(1, w.offeredPerS)) / 10}`,
    )
    .join(', ');
  return [
    `\`${name}\`: offered ${w.offeredPerS}/s, stored ${w.deliveredPerS}/s, p50 ${w.latencyMs.p50} ms, ` +
      `p99 ${w.latencyMs.p99} ms, behind ${w.missing} after the drain, ${fixed?.outboxLinesAfterDrain ?? '?'} lines ` +
      `in convoi's outbox; CPU µs per reading: ${perReading}; machine ${w.machineBusyPct ?? '?'} % busy.`,
    '',
  ];
}

/** The InfluxDB path of one run: raw POSTs vs the writer, the step-up, and what limits it. */
export function influxSection(report: PipelineReport): string[] {
  const fixed = [...fixedLine('influx-15000-json', report), ...fixedLine('influx-2500-json', report)];
  const result = report.scenarios['influx-stepup'] as InfluxStepUpResult | undefined;
  if (result?.comparison === undefined) {
    return fixed.length === 0 ? [] : ['### InfluxDB path', '', ...fixed];
  }
  const { comparison: c, stepUp, limit, limits } = result;
  return [
    '### InfluxDB path (`influx-stepup`)',
    '',
    `Same run, one influxd 1.6.7 behind one v2 shim (each in its own process). ${c.points} points per run, ` +
      `${c.rounds} run(s) each, in turns; batches of ${c.batchSize}, ${c.concurrency} requests in flight on both sides. ` +
      'CPU is µs per point written, by process ("bench" is the raw poster or convoi\'s writer).',
    '',
    '| | points/s (median) | runs | CPU µs per point |',
    '| --- | ---: | --- | --- |',
    `| raw line-protocol POSTs | ${c.raw.pointsPerS} | ${c.raw.runs.join(', ')} | ${perProcess(c.raw.cpuUsPerPoint)} |`,
    `| convoi's InfluxDB writer | ${c.writer.pointsPerS} | ${c.writer.runs.join(', ')} | ${perProcess(c.writer.cpuUsPerPoint)} |`,
    '',
    `Writer / raw: **${Math.round(c.ratio * 1000) / 10} %** (goal ≥ ${c.goal * 100} %).`,
    '',
    `End to end (MQTT → convoi → shim → influxd), step-up from 5,000/s by 2,500/s; sustainable here means ` +
      `p99 publish → stored ≤ ${limits.p99Ms} ms (the writer's 1 s flush interval + 1 s) and everything ` +
      `stored within ${limits.tailMs} ms of the last publish: **highest sustainable ${stepUp.highestSustainablePerS}/s**.`,
    '',
    `Limit: ${limit.verdict}.`,
    '',
    ...fixed,
  ];
}
