import { EnvInt } from './env-transforms.js';
import { IsInt, Max, Min } from 'class-validator';

/**
 * How long each kind of data is kept (privacy, ARCHITECTURE.md §10): read by the retention purge
 * and by the stores that drop their own old data (the PostgreSQL time series' day partitions).
 */
export class RetentionPolicySettings {
  /**
   * Days readings are kept in the embedded store or PostgreSQL (there whole days: a day's
   * partition is dropped once all of it is older) (0: forever). EU Reg. 37/2005 asks quick-frozen
   * temperature records be kept at least a year; at start, a shorter InfluxDB bucket retention is
   * reported as a warning.
   */
  @EnvInt()
  @IsInt()
  @Min(0)
  @Max(36_500)
  RETENTION_READINGS_DAYS = 400;

  /** Days a cleared alert and its history are kept after it cleared (0: forever). */
  @EnvInt()
  @IsInt()
  @Min(0)
  @Max(36_500)
  RETENTION_ALERTS_DAYS = 1825;

  /** Days a closed or cancelled shipment is kept after it ended (0: forever). */
  @EnvInt()
  @IsInt()
  @Min(0)
  @Max(36_500)
  RETENTION_SHIPMENTS_DAYS = 1825;

  /** Days audit log entries are kept (0: forever). */
  @EnvInt()
  @IsInt()
  @Min(0)
  @Max(36_500)
  RETENTION_AUDIT_DAYS = 730;

  /** Days finished webhook deliveries (delivered or given up) are kept (0: forever). */
  @EnvInt()
  @IsInt()
  @Min(0)
  @Max(36_500)
  RETENTION_WEBHOOK_DELIVERIES_DAYS = 30;

  /** Days InfluxDB dead letters (batches InfluxDB refused for good) are kept (0: forever). */
  @EnvInt()
  @IsInt()
  @Min(0)
  @Max(36_500)
  RETENTION_DEAD_LETTERS_DAYS = 30;
}
