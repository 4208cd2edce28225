import { ConfigSlice, from } from '#src/config/config-slice.js';
import { RetentionPolicySettings } from '#src/config/retention-policy.config.js';
import { TelemetrySettings } from '../telemetry.config.js';

/** The settings of the time series on PostgreSQL: batching, and the days kept. */
export class PostgresTelemetryConfig extends ConfigSlice(
  from(TelemetrySettings),
  from(RetentionPolicySettings, 'RETENTION_READINGS_DAYS', 'RETENTION_ALERTS_DAYS'),
) {}
