import type { ServedRecord } from './shipment-record.service.js';

/** HTML text escaping (every value in the page comes from stored data, some typed by people). */
function esc(value: string | number | boolean | null | undefined): string {
  return String(value ?? '—')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function table(headers: readonly string[], rows: readonly (string | number | null)[][]): string {
  if (rows.length === 0) return '<p>None.</p>';
  const head = headers.map((h) => `<th>${esc(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/** A printable, self-contained page of the record (no script, no external resource), for signing. */
export function shipmentRecordHtml(r: ServedRecord): string {
  const t = r.temperature;
  const d = r.disposition;
  const confirmed = d.confirmed
    ? `${esc(d.confirmed.decision)} by ${esc(d.confirmed.by)} at ${esc(d.confirmed.at)}: ${esc(d.confirmed.reason)}`
    : 'not confirmed yet';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Compliance record ${esc(r.shipmentId)}</title>
<style>body{font:12px sans-serif;margin:2em}table{border-collapse:collapse;margin:.5em 0}
td,th{border:1px solid #999;padding:2px 6px;text-align:left}@media print{a{display:none}}</style></head>
<body>
<h1>Compliance record — shipment ${esc(r.shipmentId)}</h1>
<p>Container ${esc(r.containerId)} · profile ${esc(r.profileId)} · period ${esc(r.period.from)} → ${esc(r.period.to)} · generated ${esc(r.generatedAt)}${r.readingsTruncated ? ' · <strong>history truncated</strong>' : ''}</p>
<h2>Disposition: ${esc(d.decision)}</h2>
${table(
  ['outcome', 'code', 'reason'],
  d.reasons.map((x) => [x.outcome, x.code, x.message]),
)}
<p>Confirmed: ${confirmed}</p>
<h2>Temperature</h2>
${table(
  ['readings', 'min °C', 'max °C', 'mean °C', 'MKT °C', 'limits °C'],
  [[t.readings, t.minC, t.maxC, t.meanC, t.mktC, `${t.limits.minC ?? '—'} … ${t.limits.maxC ?? '—'}`]],
)}
<p>Out of range: ${esc(r.outOfRange.cumulativeMin)} min cumulative, longest ${esc(r.outOfRange.longestMin)} min (tolerated ${esc(r.outOfRange.toleratedMin)} min).</p>
${table(
  ['direction', 'start', 'end', 'peak °C', 'min'],
  r.outOfRange.excursions.map((e) => [e.direction, e.start, e.end, e.peakC, e.durationMin]),
)}
<h2>Shocks</h2>
${table(
  ['peak g', 'at', 'lat', 'lon', 'site', 'leg', 'carrier'],
  r.shocks.map((s) => [s.peakG, s.at, s.lat, s.lon, s.siteId, s.legId, s.carrier]),
)}
<h2>Offline gaps</h2>
${table(
  ['start', 'end', 'min'],
  r.offlineGaps.map((g) => [g.start, g.end, g.durationMin]),
)}
<p>Completeness: ${esc(r.completeness.receivedReadings)} of ${esc(r.completeness.expectedReadings)} expected readings (${esc(r.completeness.pct)} %).</p>
<h2>Alerts</h2>
${table(
  ['rule', 'severity', 'opened', 'cleared', 'peak', 'message'],
  r.alerts.map((a) => [a.rule, a.severity, a.openedAt, a.clearedAt, a.peakValue, a.message]),
)}
<p>Signature: ______________________ Date: ____________</p>
</body></html>
`;
}
