/**
 * Grafana's substitutions in an InfluxQL raw query, as its InfluxDB datasource (Grafana 10–12)
 * performs them before sending the query to `/query`: `$timeFilter`, `$__interval`,
 * `$__interval_ms`, `$__from`, `$__to` (epoch ms), and template variables written `$var`, `${var}` or `[[var]]`.
 */

/** A dashboard time range: relative (`now-6h` → `now`) or absolute (epoch ms). */
export type GrafanaTimeRange =
  { kind: 'relative'; lastMs: number } | { kind: 'absolute'; fromMs: number; toMs: number };

/** The value a template variable holds, and how Grafana formats it. */
export interface VariableValue {
  /** The selected values; `['$__all']` when "All" is selected. */
  values: readonly string[];
  multi: boolean;
  includeAll: boolean;
  /** Custom "All" value, sent raw (unescaped) when All is selected. */
  allValue?: string;
  /** Every option, used for "All" when there is no allValue. */
  options?: readonly string[];
}

export interface InterpolationContext {
  range: GrafanaTimeRange;
  /** Panel width in points (Grafana's maxDataPoints). */
  maxDataPoints: number;
  /** The datasource's minimum interval (jsonData.timeInterval), ms. */
  minIntervalMs: number;
  variables: Readonly<Record<string, VariableValue>>;
}

// Grafana's rangeutil.roundInterval thresholds: an interval rounds to the nearest "nice" step.
const NICE_STEPS: readonly [upToMs: number, stepMs: number][] = [
  [15, 10],
  [35, 20],
  [75, 50],
  [150, 100],
  [350, 200],
  [750, 500],
  [1500, 1000],
  [3500, 2000],
  [7500, 5000],
  [12_500, 10_000],
  [17_500, 15_000],
  [25_000, 20_000],
  [45_000, 30_000],
  [90_000, 60_000],
  [210_000, 120_000],
  [450_000, 300_000],
  [750_000, 600_000],
  [1_050_000, 900_000],
  [1_500_000, 1_200_000],
  [2_700_000, 1_800_000],
  [5_400_000, 3_600_000],
  [9_000_000, 7_200_000],
  [16_200_000, 10_800_000],
  [32_400_000, 21_600_000],
  [86_400_000, 43_200_000],
];

/** `$__interval` in ms: range / maxDataPoints, rounded as Grafana does, never below the minimum. */
export function grafanaIntervalMs(
  ctx: Pick<InterpolationContext, 'range' | 'maxDataPoints' | 'minIntervalMs'>,
): number {
  const span = ctx.range.kind === 'relative' ? ctx.range.lastMs : ctx.range.toMs - ctx.range.fromMs;
  const raw = Math.max(span / ctx.maxDataPoints, ctx.minIntervalMs);
  const step = NICE_STEPS.find(([upTo]) => raw <= upTo);
  return step ? step[1] : 86_400_000;
}

/** An interval in InfluxQL duration syntax, largest whole unit (`20s`, `1m`, `2h`). */
export function influxDuration(ms: number): string {
  const units: [string, number][] = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ];
  for (const [unit, size] of units) if (ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

/** Grafana's `$timeFilter` for InfluxDB: relative ranges stay relative to the server's now(). */
export function timeFilter(range: GrafanaTimeRange): string {
  if (range.kind === 'relative') return `time >= now() - ${influxDuration(range.lastMs)}`;
  return `time >= ${range.fromMs}ms and time <= ${range.toMs}ms`;
}

function escapeRegex(value: string): string {
  return value.replace(/[\\^$*+?.()|[\]{}/]/g, '\\$&');
}

/** Is the character at `index` inside a `=~ /…/` or `!~ /…/` regex literal of the query? */
function insideRegex(query: string, index: number): boolean {
  const literal = /[=!]~\s*\/((?:[^/\\\n]|\\.)*)\//g;
  for (let m = literal.exec(query); m !== null; m = literal.exec(query)) {
    if (index > m.index && index < m.index + m[0].length) return true;
  }
  return false;
}

/**
 * One variable's text in the query, as Grafana's InfluxDB datasource formats it
 * (`interpolateQueryExpr`): numbers raw; multi-value variables regex-escaped, several values
 * as `(a|b)`; a single-value variable escaped only where it sits inside a regex literal; "All"
 * with a custom allValue sent raw.
 */
export function formatVariable(v: VariableValue, inRegex: boolean): string {
  const all = v.values.length === 1 && v.values[0] === '$__all';
  if (all && v.allValue !== undefined) return v.allValue;
  const values = all ? (v.options ?? []) : v.values;
  if (values.length === 1 && !Number.isNaN(Number.parseFloat(values[0]))) return values[0];
  if (v.multi || v.includeAll) {
    const escaped = values.map(escapeRegex);
    return escaped.length === 1 ? escaped[0] : `(${escaped.join('|')})`;
  }
  return inRegex ? escapeRegex(values[0] ?? '') : (values[0] ?? '');
}

/** The query Grafana would send for this raw InfluxQL text. Unknown `$names` are left as they are. */
export function interpolateInfluxQuery(query: string, ctx: InterpolationContext): string {
  const intervalMs = grafanaIntervalMs(ctx);
  const now = Date.now();
  const [fromMs, toMs] =
    ctx.range.kind === 'relative' ? [now - ctx.range.lastMs, now] : [ctx.range.fromMs, ctx.range.toMs];
  const macros: Record<string, string> = {
    timeFilter: timeFilter(ctx.range),
    __from: String(fromMs),
    __to: String(toMs),
    __interval: influxDuration(intervalMs),
    __interval_ms: String(intervalMs),
  };
  return query.replace(
    /\$\{(\w+)(?::\w+)?\}|\[\[(\w+)\]\]|\$(\w+)/g,
    (
      whole,
      braced: string | undefined,
      bracketed: string | undefined,
      bare: string | undefined,
      offset: number,
    ) => {
      const name = braced ?? bracketed ?? bare ?? '';
      if (Object.hasOwn(macros, name)) return macros[name];
      const variable = ctx.variables[name];
      if (variable === undefined) return whole;
      return formatVariable(variable, insideRegex(query, offset));
    },
  );
}
