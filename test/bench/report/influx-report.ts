import type { InfluxStepUpResult } from '../scenarios/influx.scenarios.js';
import type { PipelineReport } from './pipeline-report.js';

const perProcess = (figures: Record<string, number>) =>
  Object.entries(figures)
    .map(([name, value]) => `${name} ${value}`)
    .join(', ');

/** The InfluxDB path of one run: raw POSTs vs the writer, the step-up, and what limits it. */
export function influxSection(report: PipelineReport): string[] {
  const result = report.scenarios['influx-stepup'] as InfluxStepUpResult | undefined;
  if (result?.comparison === undefined) return [];
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
  ];
}
