import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { RetentionConfig } from './retention.config.js';

const DAY_MS = 86_400_000;
/** Database and policy names we agree to put in a statement: identifiers cannot be bound. */
const SAFE_NAME = /^[A-Za-z0-9_.-]{1,255}$/;
const GO_DURATION_PART = /(\d+(?:\.\d+)?)(ns|us|µs|ms|h|m|s)/g;
const UNIT_MS: Readonly<Record<string, number>> = {
  h: 3_600_000,
  m: 60_000,
  s: 1000,
  ms: 1,
  us: 0.001,
  µs: 0.001,
  ns: 0.000001,
};

export type InfluxRetentionVerdict = 'ok' | 'infinite' | 'too-short' | 'unknown';

export interface InfluxRetentionResult {
  verdict: InfluxRetentionVerdict;
  database?: string;
  policy?: string;
  /** The policy's duration, ms (0 = infinite). */
  durationMs?: number;
  detail: string;
}

/** A Go duration as InfluxDB prints it (`9600h0m0s`, `0s` = infinite), in ms. */
export function parseInfluxDuration(text: string): number | undefined {
  if (text === 'INF' || text === 'infinite') return 0;
  let total = 0;
  let matched = '';
  for (const m of text.matchAll(GO_DURATION_PART)) {
    total += Number(m[1]) * UNIT_MS[m[2]];
    matched += m[0];
  }
  return matched === text && matched !== '' ? total : undefined;
}

interface ShowPoliciesResponse {
  results?: { error?: string; series?: { columns: string[]; values: unknown[][] }[] }[];
}

/**
 * At start, when InfluxDB holds the readings, reads the retention of the configured bucket
 * (InfluxQL `SHOW RETENTION POLICIES`, on 1.x and on 2.x through its DBRP mapping) and warns
 * when InfluxDB would delete readings sooner than `RETENTION_READINGS_DAYS` asks to keep them.
 * Convoi never shortens or deletes InfluxDB data itself: the bucket's retention does that.
 */
@Injectable()
export class InfluxRetentionCheck implements OnApplicationBootstrap {
  private readonly logger = new Logger('Retention');

  constructor(private readonly config: RetentionConfig) {}

  onApplicationBootstrap(): void {
    if (this.config.INFLUX_URL === undefined) return;
    // Not awaited: InfluxDB may be down at start, which the writer's outbox already handles.
    void this.check();
  }

  async check(): Promise<InfluxRetentionResult> {
    const result = await this.inspect().catch((error: unknown): InfluxRetentionResult => ({
      verdict: 'unknown',
      detail: `could not read the InfluxDB retention: ${(error as Error).message}`,
    }));
    if (result.verdict === 'too-short' || result.verdict === 'unknown') this.logger.warn(result.detail);
    else this.logger.log(result.detail);
    return result;
  }

  private async inspect(): Promise<InfluxRetentionResult> {
    const bucket = this.config.INFLUX_BUCKET;
    const slash = bucket.indexOf('/');
    const database = slash < 0 ? bucket : bucket.slice(0, slash);
    const wanted = slash < 0 ? undefined : bucket.slice(slash + 1);
    if (!SAFE_NAME.test(database) || (wanted !== undefined && !SAFE_NAME.test(wanted))) {
      return {
        verdict: 'unknown',
        detail: `INFLUX_BUCKET ${JSON.stringify(bucket)}: retention not checked (unusual name)`,
      };
    }
    const url = new URL('/query', this.config.INFLUX_URL);
    url.searchParams.set('db', database);
    url.searchParams.set('q', `SHOW RETENTION POLICIES ON "${database}"`);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.config.INFLUX_TOKEN) headers.authorization = `Token ${this.config.INFLUX_TOKEN}`;
    const res = await fetch(url, { headers, signal: AbortSignal.timeout(this.config.INFLUX_TIMEOUT_MS) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const body = (await res.json()) as ShowPoliciesResponse;
    const first = body.results?.[0];
    if (first?.error) throw new Error(first.error.slice(0, 200));
    const series = first?.series?.[0];
    if (!series) throw new Error(`no retention policy on database ${database}`);
    const col = (name: string): number => series.columns.indexOf(name);
    const row = series.values.find((v) =>
      wanted === undefined ? v[col('default')] === true : v[col('name')] === wanted,
    );
    if (!row) throw new Error(`no ${wanted ?? 'default'} retention policy on database ${database}`);
    const policy = String(row[col('name')]);
    const durationMs = parseInfluxDuration(String(row[col('duration')]));
    if (durationMs === undefined)
      throw new Error(`unreadable duration ${String(row[col('duration')]).slice(0, 40)}`);
    const days = this.config.RETENTION_READINGS_DAYS;
    const where = `InfluxDB ${database}/${policy}`;
    if (durationMs === 0)
      return { verdict: 'infinite', database, policy, durationMs, detail: `${where} keeps readings forever` };
    const kept = `${(durationMs / DAY_MS).toFixed(1)} days`;
    if (days > 0 && durationMs < days * DAY_MS)
      return {
        verdict: 'too-short',
        database,
        policy,
        durationMs,
        detail:
          `${where} keeps readings ${kept}, less than RETENTION_READINGS_DAYS=${days}: ` +
          'readings will be lost sooner than configured (EU Reg. 37/2005 asks at least a year for quick-frozen food)',
      };
    return { verdict: 'ok', database, policy, durationMs, detail: `${where} keeps readings ${kept}` };
  }
}
