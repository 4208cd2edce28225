import { Injectable, Logger } from '@nestjs/common';
import { InfluxConfig } from './influx.config.js';
import { MEASUREMENT_KEYS, READING_SOURCES, type ReadingSource } from '#src/contracts/reading.js';
import {
  NUMERIC_FIELDS,
  TelemetryReader,
  type AggregateQuery,
  type AggregateRow,
  type HistoryQuery,
  type HistoryRow,
} from '../telemetry.ports.js';
import { TelemetryStoreUnavailableError } from './influx.errors.js';
import { aggregateQuery, historyQuery, measurementRef, type BoundQuery } from './influxql.js';

interface QueryAnswer {
  error?: string;
  results?: { error?: string; series?: { columns: string[]; values: unknown[][] }[] }[];
}

type Row = Record<string, unknown>;

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/**
 * Reads history back from InfluxDB with InfluxQL over the v1-compatible `/query` endpoint
 * (present on 1.x, 2.x through DBRP mapping, and 3.x). Every user value is a bound parameter;
 * identifiers come only from allow-lists (ARCHITECTURE.md §5).
 */
@Injectable()
export class InfluxTelemetryReader extends TelemetryReader {
  private readonly logger = new Logger(InfluxTelemetryReader.name);
  private readonly url: string;
  private readonly database: string;

  constructor(private readonly config: InfluxConfig) {
    super();
    if (!config.INFLUX_URL) throw new Error('INFLUX_URL is not set: the InfluxDB adapter needs it');
    this.url = config.INFLUX_URL.replace(/\/+$/, '');
    this.database = measurementRef(config.INFLUX_BUCKET).database;
  }
  /** The cause goes to the log; callers only learn that the store did not answer. */
  private unavailable(cause: string): TelemetryStoreUnavailableError {
    this.logger.error(`InfluxDB query failed: ${cause}`);
    return new TelemetryStoreUnavailableError('the time-series store did not answer; try again later');
  }

  async history(query: HistoryQuery): Promise<HistoryRow[]> {
    const rows = await this.run(historyQuery(this.config.INFLUX_BUCKET, query));
    return rows.reverse().map((r) => this.toHistoryRow(r));
  }

  async aggregate(query: AggregateQuery): Promise<AggregateRow[]> {
    const rows = await this.run(aggregateQuery(this.config.INFLUX_BUCKET, query));
    return rows.reverse().map((r) => {
      const out: AggregateRow = { time: r.time as number };
      for (const f of NUMERIC_FIELDS) {
        const v = num(r[f]);
        if (v !== undefined) out[f] = v;
      }
      return out;
    });
  }

  private toHistoryRow(r: Row): HistoryRow {
    const row: HistoryRow = {
      deviceId: String(r.device),
      measuredAt: r.time as number,
      receivedAt: num(r.receivedAt) ?? (r.time as number),
      source: READING_SOURCES.includes(r.source as ReadingSource) ? (r.source as ReadingSource) : 'json',
      quality: { lagMs: num(r.lagMs) ?? 0, late: r.late === true },
    };
    if (typeof r.shipmentId === 'string') row.shipmentId = r.shipmentId;
    for (const key of MEASUREMENT_KEYS) {
      if (key === 'doorOpen') {
        if (typeof r.doorOpen === 'boolean') row.doorOpen = r.doorOpen;
      } else {
        const v = num(r[key]);
        if (v !== undefined) row[key] = v;
      }
    }
    for (const key of ['fCnt', 'gateways', 'rssi', 'snr'] as const) {
      const v = num(r[key]);
      if (v !== undefined) row.quality[key] = v;
    }
    return row;
  }

  private async run(query: BoundQuery): Promise<Row[]> {
    const form = new URLSearchParams({
      db: this.database,
      epoch: 'ms',
      q: query.q,
      params: JSON.stringify(query.params),
    });
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    if (this.config.INFLUX_TOKEN) headers.authorization = `Token ${this.config.INFLUX_TOKEN}`;
    let answer: QueryAnswer;
    try {
      const res = await fetch(`${this.url}/query`, {
        method: 'POST',
        body: form,
        headers,
        signal: AbortSignal.timeout(this.config.INFLUX_TIMEOUT_MS),
      });
      answer = (await res.json()) as QueryAnswer;
      if (!res.ok) throw new Error(`HTTP ${res.status}: ${answer.error ?? ''}`);
    } catch (error) {
      throw this.unavailable(String(error));
    }
    const result = answer.results?.[0];
    if (answer.error || result?.error) throw this.unavailable(answer.error ?? result?.error ?? '');
    const series = result?.series?.[0];
    if (!series) return [];
    return series.values.map((v) => Object.fromEntries(series.columns.map((c, i) => [c, v[i]])));
  }
}
