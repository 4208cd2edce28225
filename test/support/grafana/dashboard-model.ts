import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The parts of a Grafana dashboard JSON the tests read. */
export interface DatasourceRef {
  type?: string;
  uid?: string;
}

export interface InfluxTarget {
  refId: string;
  datasource?: DatasourceRef;
  query?: string;
  rawQuery?: boolean;
  resultFormat?: 'time_series' | 'table' | 'logs';
  alias?: string;
}

export interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: DatasourceRef;
  targets?: InfluxTarget[];
  fieldConfig?: { defaults?: { unit?: string }; overrides?: unknown[] };
  panels?: Panel[];
}

export interface TemplateVariable {
  name: string;
  type: string;
  datasource?: DatasourceRef;
  query?: string;
  includeAll?: boolean;
  multi?: boolean;
  allValue?: string;
  current?: { value?: string | string[] };
  options?: { value: string }[];
}

export interface Annotation {
  name: string;
  builtIn?: number;
  datasource?: DatasourceRef;
  query?: string;
  target?: InfluxTarget;
}

export interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  timezone?: string;
  refresh?: string;
  time?: { from: string; to: string };
  panels: Panel[];
  templating?: { list: TemplateVariable[] };
  annotations?: { list: Annotation[] };
}

/** Every `*.json` of a folder, parsed, with its file name. */
export function loadDashboards(dir: string): { file: string; dashboard: Dashboard }[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({ file, dashboard: JSON.parse(readFileSync(join(dir, file), 'utf8')) as Dashboard }));
}

/** Panels, rows' children included. */
export function allPanels(dashboard: Dashboard): Panel[] {
  return dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]).filter((p) => p.type !== 'row');
}

/** Splits on commas outside parentheses and quotes. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote && text[i - 1] !== '\\') quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(text.slice(start).trim());
  return parts;
}

/** Index of the outermost `FROM` (not inside a subquery's parentheses). */
function outerFromIndex(query: string): number {
  let depth = 0;
  for (let i = 0; i < query.length; i++) {
    if (query[i] === '(') depth++;
    else if (query[i] === ')') depth--;
    else if (depth === 0 && /^\sFROM\s/i.test(query.slice(i, i + 6))) return i;
  }
  return -1;
}

/**
 * The columns the outer SELECT promises: each item's `AS "alias"`, or the bare `"field"` it
 * names. Undefined for statements that are not a SELECT (SHOW …), or for an item that is
 * neither (an unnamed aggregate: the dashboards always name theirs).
 */
export function selectedColumns(query: string): string[] | undefined {
  const select = /^\s*SELECT\s/i.exec(query);
  const from = outerFromIndex(query);
  if (!select || from < 0) return undefined;
  const items = splitTopLevel(query.slice(select[0].length, from));
  const names = items.map((item) => /\sAS\s+"([^"]+)"\s*$/i.exec(item)?.[1] ?? /^"([^"]+)"$/.exec(item)?.[1]);
  return names.every((n): n is string => n !== undefined) ? names : undefined;
}

/** Tags of the outermost GROUP BY (time buckets left out). */
export function groupByTags(query: string): string[] {
  const from = outerFromIndex(query);
  let depth = 0;
  let groupAt = -1;
  for (let i = Math.max(from, 0); i < query.length; i++) {
    if (query[i] === '(') depth++;
    else if (query[i] === ')') depth--;
    else if (depth === 0 && /^GROUP BY\s/i.test(query.slice(i, i + 9))) groupAt = i + 9;
  }
  if (groupAt < 0) return [];
  const clause = query.slice(groupAt).split(/\s(?:fill|ORDER|LIMIT|SLIMIT|OFFSET)\b/i)[0];
  return splitTopLevel(clause)
    .filter((item) => !/^time\s*\(/i.test(item))
    .map((item) => item.replace(/"/g, ''));
}
