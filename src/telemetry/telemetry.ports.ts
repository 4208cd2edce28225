import type { MeasurementKey, Reading } from '#src/contracts/reading.js';
import type { AlertEvent } from '#src/contracts/alert-event.js';

/** Aggregation functions history queries may ask for (an allow-list: never user text). */
export const AGGREGATE_FUNCTIONS = ['mean', 'min', 'max', 'last'] as const;
export type AggregateFunction = (typeof AGGREGATE_FUNCTIONS)[number];

/** Numeric fields that can be aggregated. */
export const NUMERIC_FIELDS = [
  'temperatureC',
  'humidityPct',
  'shockG',
  'lat',
  'lon',
  'altM',
  'batteryPct',
] as const satisfies readonly MeasurementKey[];
export type NumericField = (typeof NUMERIC_FIELDS)[number];

/** A question about one container's history. Times are epoch ms; `from` inclusive, `to` exclusive. */
export interface HistoryQuery {
  containerId: string;
  from: number;
  to: number;
  /** Maximum rows returned (newest last). */
  limit: number;
}

export interface AggregateQuery extends HistoryQuery {
  /** Bucket width, ms; buckets are aligned on the epoch (as InfluxQL GROUP BY time does). */
  everyMs: number;
  fn: AggregateFunction;
}

/** One stored reading as history returns it. */
export type HistoryRow = Pick<
  Reading,
  'deviceId' | 'measuredAt' | 'receivedAt' | 'shipmentId' | 'source' | MeasurementKey
> & { quality: Pick<Reading['quality'], 'fCnt' | 'gateways' | 'rssi' | 'snr' | 'lagMs' | 'late'> };

/** One time bucket of an aggregate; a field is absent when the bucket has no value for it. */
export type AggregateRow = { time: number } & Partial<Record<NumericField, number>>;

/**
 * Where accepted readings are written. `write` must not block the caller on I/O: adapters
 * batch and flush on size or a timer. `flush` resolves once everything written before the
 * call is durable (stored, or kept in the outbox to be replayed).
 */
export abstract class TelemetryWriter {
  abstract write(readings: readonly Reading[]): void;
  abstract writeAlert(event: AlertEvent): void;
  abstract flush(): Promise<void>;

  /** For /health: `degraded` while data waits to be replayed, `down` when nothing is written. */
  health(): { status: 'up' | 'degraded' | 'down'; detail?: string } {
    return { status: 'up' };
  }

  /**
   * For /health/ready: whether this node should take more data. Like {@link health}, but a store
   * that still keeps what it cannot write yet is only degraded until that backlog nears the
   * point where data would be dropped.
   */
  readiness(): { status: 'up' | 'degraded' | 'down'; detail?: string } {
    return this.health();
  }
}

/** Reads history back. Both adapters return identical results for identical data. */
export abstract class TelemetryReader {
  abstract history(query: HistoryQuery): Promise<HistoryRow[]>;
  abstract aggregate(query: AggregateQuery): Promise<AggregateRow[]>;
}
