import type { WindowResult } from '../scenarios/measure.js';

/** µs of CPU per delivered message from a share of one core and the delivery rate. */
const usPer = (pct: number, perS: number) => Math.round(((10_000 * pct) / Math.max(1, perS)) * 10) / 10;

/**
 * Where the CPU of each measured window went, thread by thread (`cpuPctByThread`): % of one core
 * and µs per stored reading (per delivered message for a bare broker), busiest first. The issue-22
 * ratio compares whole processes; this says which thread to look at.
 */
export function threadSection(windows: readonly { label: string; w: WindowResult }[]): string[] {
  const rows = windows
    .filter(({ w }) => w.cpuPctByThread !== undefined)
    .flatMap(({ label, w }) =>
      Object.entries(w.cpuPctByThread ?? {}).map(([process, threads]) => {
        const text = Object.entries(threads)
          .sort(([, a], [, b]) => b - a)
          .map(([thread, pct]) => `${thread} ${pct} % (${usPer(pct, w.deliveredPerS)} µs)`)
          .join(', ');
        return `| ${label} | ${w.deliveredPerS} | ${process} | ${text} |`;
      }),
    );
  if (rows.length === 0) return [];
  return [
    '### CPU by thread (% of a core, and µs per stored reading)',
    '',
    '| window | stored/s | process | threads |',
    '| --- | ---: | --- | --- |',
    ...rows,
    '',
  ];
}
