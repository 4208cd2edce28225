import { ConfigSlice, from } from '#src/config/config-slice.js';
import { EnvInt } from '#src/config/env-transforms.js';
import { InfluxSettings } from '#src/telemetry/influx/influx.config.js';
import { IsInt, Max, Min } from 'class-validator';
import { RetentionPolicySettings } from '#src/config/retention-policy.config.js';

/**
 * The retention purge's pace.
 */
export class RetentionSettings {
  /** How often the retention purge runs, ms (it also runs once shortly after start). */
  @EnvInt()
  @IsInt()
  @Min(1000)
  @Max(86_400_000)
  RETENTION_PURGE_INTERVAL_MS = 3_600_000;

  /** Most rows the purge deletes in one transaction; it yields to ingestion between batches. */
  @EnvInt()
  @IsInt()
  @Min(100)
  @Max(100_000)
  RETENTION_BATCH_SIZE = 5000;
}

/** What retention reads: days kept per kind of data, the purge's pace, and the InfluxDB it checks the retention of. */
export class RetentionConfig extends ConfigSlice(
  from(RetentionPolicySettings),
  from(RetentionSettings),
  from(InfluxSettings, 'INFLUX_URL', 'INFLUX_TOKEN', 'INFLUX_BUCKET', 'INFLUX_TIMEOUT_MS'),
) {}
