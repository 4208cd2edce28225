import type { TableReport } from './store-mover.js';

const ACTIONS: Record<TableReport['action'], string> = {
  copy: 'copied',
  replace: 'replaced',
  'already-there': 'already there',
  'left-in-influxdb': 'in InfluxDB (INFLUX_URL), not moved',
  'never-used': 'not in this deployment (feature never used)',
};

/** The per-table report `convoi migrate-store` prints: rows on each side and whether they match. */
export function formatReport(reports: readonly TableReport[]): string {
  const header = ['table', 'from', 'action', 'sqlite rows', 'postgres rows', 'digest', 'result'];
  const lines = reports.map((r) => [
    r.table,
    r.file,
    ACTIONS[r.action],
    String(r.sourceRows),
    String(r.targetRows),
    r.sourceDigest === r.targetDigest ? r.sourceDigest : `${r.sourceDigest} ≠ ${r.targetDigest}`,
    r.matches ? 'ok' : 'MISMATCH',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  return [header, ...lines]
    .map((cells) =>
      cells
        .map((c, i) => c.padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
