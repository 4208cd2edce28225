import { ConfigSlice } from '#src/config/config-slice.js';

/** The settings of the time series on PostgreSQL: batching, and the days kept. */
export class PostgresTelemetryConfig extends ConfigSlice(
  'TELEMETRY_BATCH_SIZE',
  'TELEMETRY_FLUSH_MS',
  'RETENTION_READINGS_DAYS',
  'RETENTION_ALERTS_DAYS',
) {}
