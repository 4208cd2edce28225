import {
  AGGREGATE_FUNCTIONS,
  NUMERIC_FIELDS,
  type AggregateQuery,
  type HistoryQuery,
} from '../telemetry.ports.js';
import { MEASUREMENT_KEYS } from '#src/contracts/reading.js';
import { TelemetryQueryInvalidError } from './influx.errors.js';
import { TELEMETRY_MEASUREMENT } from './influx-line-protocol.js';

/** Most rows one history or aggregate question may ask for. */
export const MAX_QUERY_ROWS = 100_000;

/** An InfluxQL statement and the values bound to its `$name` parameters. */
export interface BoundQuery {
  q: string;
  params: Record<string, string>;
}

/** Fields a history row is built from, besides the measured values (all written by us). */
export const HISTORY_EXTRA_FIELDS = [
  'receivedAt',
  'shipmentId',
  'source',
  'fCnt',
  'gateways',
  'rssi',
  'snr',
  'lagMs',
  'late',
] as const;

/** Double-quoted InfluxQL identifier; only ever applied to allow-listed names and the config. */
function ident(name: string): string {
  return `"${name.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** `"db"."rp"."telemetry"` from the configured bucket (`db` or `db/rp`). */
export function measurementRef(bucket: string): { database: string; from: string } {
  const slash = bucket.indexOf('/');
  const database = slash < 0 ? bucket : bucket.slice(0, slash);
  const rp = slash < 0 ? '' : bucket.slice(slash + 1);
  const from = rp
    ? `${ident(database)}.${ident(rp)}.${ident(TELEMETRY_MEASUREMENT)}`
    : `${ident(database)}..${ident(TELEMETRY_MEASUREMENT)}`;
  return { database, from };
}

function validate(query: HistoryQuery): void {
  const problems: string[] = [];
  if (typeof query.containerId !== 'string' || query.containerId.length === 0) problems.push('containerId');
  if (!Number.isSafeInteger(query.from)) problems.push('from');
  if (!Number.isSafeInteger(query.to)) problems.push('to');
  if (Number.isSafeInteger(query.from) && Number.isSafeInteger(query.to) && query.from >= query.to) {
    problems.push('from must be before to');
  }
  if (!Number.isSafeInteger(query.limit) || query.limit < 1 || query.limit > MAX_QUERY_ROWS) {
    problems.push(`limit (1..${MAX_QUERY_ROWS})`);
  }
  if (problems.length > 0)
    throw new TelemetryQueryInvalidError(`invalid history query: ${problems.join(', ')}`);
}

/** Parameters shared by both statements: user values are bound, never pasted into the text. */
function whereClause(query: HistoryQuery): { where: string; params: Record<string, string> } {
  return {
    where: 'WHERE "container" = $container AND time >= $from AND time < $to',
    params: {
      container: query.containerId,
      from: new Date(query.from).toISOString(),
      to: new Date(query.to).toISOString(),
    },
  };
}

/**
 * Rows of one container in `[from, to)`: the newest `limit` of them, asked newest first (the
 * reader returns them oldest first), as the embedded store does.
 */
export function historyQuery(bucket: string, query: HistoryQuery): BoundQuery {
  validate(query);
  const { from } = measurementRef(bucket);
  const { where, params } = whereClause(query);
  const columns = ['device', ...MEASUREMENT_KEYS, ...HISTORY_EXTRA_FIELDS].map(ident).join(', ');
  return { q: `SELECT ${columns} FROM ${from} ${where} ORDER BY time DESC LIMIT ${query.limit}`, params };
}

/**
 * One `fn` per numeric field per bucket of `everyMs`, aligned on the epoch (InfluxQL's
 * `GROUP BY time` with offset 0), empty buckets left out (`fill(none)`); the newest `limit`
 * buckets, asked newest first.
 */
export function aggregateQuery(bucket: string, query: AggregateQuery): BoundQuery {
  validate(query);
  if (!(AGGREGATE_FUNCTIONS as readonly string[]).includes(query.fn)) {
    throw new TelemetryQueryInvalidError(
      `invalid aggregate function (one of ${AGGREGATE_FUNCTIONS.join(', ')})`,
    );
  }
  if (!Number.isSafeInteger(query.everyMs) || query.everyMs < 1) {
    throw new TelemetryQueryInvalidError('invalid bucket width: everyMs must be a positive integer');
  }
  const { from } = measurementRef(bucket);
  const { where, params } = whereClause(query);
  const columns = NUMERIC_FIELDS.map((f) => `${query.fn}(${ident(f)}) AS ${ident(f)}`).join(', ');
  return {
    q: `SELECT ${columns} FROM ${from} ${where} GROUP BY time(${query.everyMs}ms) fill(none) ORDER BY time DESC LIMIT ${query.limit}`,
    params,
  };
}
