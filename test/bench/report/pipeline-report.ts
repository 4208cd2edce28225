import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname } from 'node:path';
import type { SoakResult } from '../scenarios/soak.scenario.js';
import type { WindowResult } from '../scenarios/measure.js';
import { influxSection } from './influx-report.js';
import { clusterSection, clusterTargets } from './cluster-report.js';
import { evaluateTargets, type TargetCheck } from './targets.js';
import { threadSection } from './thread-report.js';

export interface PipelineReport {
  bench: 'pipeline';
  date: string;
  machine: ReturnType<typeof machineInfo>;
  quick: boolean;
  setup: {
    containers: number;
    shipments: number;
    publishers: number;
    idleConnections: number;
    qos: number;
    fixedSeconds: number;
    stepUp: Record<string, number>;
    templateSeconds?: number;
    /** Times the warm fleet reported again before a scenario because it had aged (pipeline.bench.ts). */
    fleetReportedAgain?: number;
  };
  scenarios: Record<string, unknown>;
  errors: Record<string, string>;
  targets?: TargetCheck[];
  totalSeconds?: number;
}

export function machineInfo() {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  };
}

/** Every measured window of the report, labelled, in run order. */
export function windowsOf(report: PipelineReport): { label: string; w: WindowResult }[] {
  const out: { label: string; w: WindowResult }[] = [];
  const visit = (label: string, value: unknown): void => {
    if (value === null || typeof value !== 'object') return;
    const v = value as Record<string, unknown>;
    if (typeof v.offeredPerS === 'number' && typeof v.deliveredPerS === 'number') {
      out.push({ label, w: v as unknown as WindowResult });
      return;
    }
    if (Array.isArray(value)) value.forEach((item, i) => visit(`${label}#${i + 1}`, item));
    else
      for (const [k, child] of Object.entries(v))
        visit(k === 'window' || k === 'result' ? label : `${label}/${k}`, child);
  };
  for (const [name, value] of Object.entries(report.scenarios)) visit(name, value);
  return out;
}

const cpuText = (c: Record<string, number>) =>
  Object.entries(c)
    .filter(([k]) => !k.startsWith('load-'))
    .map(([k, v]) => `${k} ${v}%`)
    .join(', ') +
  ` (load ${Object.entries(c)
    .filter(([k]) => k.startsWith('load-'))
    .map(([, v]) => v)
    .join('+')}%)`;

/** Checkpoints completed in the window and their seconds (none for a bare broker; absent in older reports). */
const checkpointText = (w: WindowResult) =>
  w.checkpoints === undefined || w.checkpoints.count === 0
    ? ''
    : `${w.checkpoints.count} (${w.checkpoints.seconds} s)`;

export function windowTable(report: PipelineReport): string {
  const head =
    '| window | format | target/s | offered/s | stored/s | behind | held back | p50 ms | p99 ms | max ms | PUBACK p99 ms | CPU (% of a core) | peak RSS MB | state checkpoints | ok |\n' +
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | :---: |\n';
  return (
    head +
    windowsOf(report)
      .map(
        ({ label, w }) =>
          `| ${label} | ${w.format} | ${w.targetPerS} | ${w.offeredPerS} | ${w.deliveredPerS} | ${w.missing} | ${w.heldBack} | ` +
          `${w.latencyMs.p50} | ${w.latencyMs.p99} | ${w.latencyMs.max} | ${w.ackLatencyMs.p99} | ${cpuText(w.cpuPct)} | ` +
          `${Object.entries(w.peakRssMb)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')} | ${checkpointText(w)} | ${w.sustainable ? 'yes' : 'no'} |`,
      )
      .join('\n')
  );
}

export function targetTable(targets: readonly TargetCheck[]): string {
  return (
    '| target | goal | measured | holds |\n| --- | --- | --- | :---: |\n' +
    targets
      .map(
        (t) =>
          `| ${t.name} | ${t.goal} | ${t.measured} | ${t.holds === undefined ? 'not measured' : t.holds ? 'yes' : '**no**'} |`,
      )
      .join('\n')
  );
}

/** The soak's windows with what convoi spent besides the readings (GC, ticks, batches) and its RSS. */
export function soakSection(report: PipelineReport): string[] {
  const soak = report.scenarios.soak as SoakResult | undefined;
  if (!soak?.windows?.length) return [];
  const rows = soak.windows.map(
    ({ window: w, rssMb, cost }, i) =>
      `| ${(i + 1) * 30} | ${w.deliveredPerS} | ${w.latencyMs.p50} | ${w.latencyMs.p99} | ${w.latencyMs.max} | ` +
      `${w.cpuPct.convoi ?? '?'} | ${rssMb} | ${cost.heapUsedMb} | ` +
      `${Object.entries(cost.gcMs)
        .filter(([, ms]) => ms > 0)
        .map(([kind, ms]) => `${kind} ${ms}`)
        .join(
          ', ',
        )} | ${cost.ruleTicks} / ${cost.ruleTickMs} | ${cost.telemetryBatches} / ${cost.telemetryBatchMs} |`,
  );
  return [
    `### Soak: 15,000 readings/s in 30 s windows (load average ${soak.loadAverage.start} → ${soak.loadAverage.end})`,
    '',
    '| end s | stored/s | p50 ms | p99 ms | max ms | convoi CPU % | RSS MB | heap MB | GC ms | offline ticks / ms | batches / ms |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |',
    ...rows,
    '',
  ];
}

const BEGIN = '<!-- bench:begin (generated by npm run bench; edit outside these markers) -->';
const END = '<!-- bench:end -->';

function markdown(report: PipelineReport): string {
  const m = report.machine;
  const errors = Object.entries(report.errors);
  return [
    BEGIN,
    `## Latest run: ${report.date.slice(0, 10)}`,
    '',
    `Machine: ${m.cpus} × ${m.cpuModel}, ${m.memoryGb} GB, Node ${m.node}, ${m.platform}. ` +
      `Run took ${report.totalSeconds} s. Fleet: ${report.setup.containers} containers (${report.setup.shipments} on a chilled-4 shipment), ` +
      `${report.setup.publishers} publishers, ${report.setup.idleConnections} idle connections, QoS ${report.setup.qos}.`,
    '',
    '### Targets (issue 11)',
    '',
    targetTable(report.targets ?? []),
    '',
    '### Every measured window',
    '',
    windowTable(report),
    '',
    ...threadSection(windowsOf(report)),
    ...soakSection(report),
    ...influxSection(report),
    ...clusterSection(report),
    ...(errors.length > 0
      ? ['### Scenarios that failed', '', ...errors.map(([k, v]) => `- ${k}: \`${v.split('\n')[0]}\``), '']
      : []),
    'Raw figures: [`docs/bench/pipeline.json`](bench/pipeline.json).',
    END,
  ].join('\n');
}

export function writeReports(report: PipelineReport, out: { json: string; markdown?: string }): void {
  report.targets = [...evaluateTargets(report), ...clusterTargets(report)];
  process.stdout.write(
    `\n${windowTable(report)}\n\n${threadSection(windowsOf(report)).join('\n')}\n${soakSection(report).join('\n')}\n${targetTable(report.targets)}\n`,
  );
  mkdirSync(dirname(out.json), { recursive: true });
  writeFileSync(out.json, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`\nwrote ${out.json}\n`);
  if (out.markdown === undefined) return;
  const current = existsSync(out.markdown) ? readFileSync(out.markdown, 'utf8') : '# Performance\n\n';
  const block = markdown(report);
  const next =
    current.includes(BEGIN) && current.includes(END)
      ? current.slice(0, current.indexOf(BEGIN)) + block + current.slice(current.indexOf(END) + END.length)
      : `${current.trimEnd()}\n\n${block}\n`;
  writeFileSync(out.markdown, next);
  process.stdout.write(`wrote ${out.markdown}\n`);
}
