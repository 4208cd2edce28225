import { ConfigSlice, from } from '#src/config/config-slice.js';
import { DeploymentSettings } from '#src/config/deployment.config.js';
import { EnvInt } from '#src/config/env-transforms.js';
import { IsInt, Matches, Max, Min } from 'class-validator';
import { PartitionsSettings } from '#src/partitions/partitions.config.js';

/**
 * The cluster input log on NATS JetStream: its stream, replicas, bounds and append window.
 */
export class LogSettings {
  /** The JetStream stream of the input log (subjects `convoi.readings.<partition>`). */
  @Matches(/^[A-Za-z0-9_-]{1,64}$/, { message: 'NATS_STREAM must be 1-64 letters, digits, _ or -' })
  NATS_STREAM = 'CONVOI_READINGS';

  /** Copies of the stream kept by the NATS cluster (1, 3 or 5 in practice; 1 on a single server). */
  @EnvInt()
  @IsInt()
  @Min(1)
  @Max(5)
  NATS_REPLICAS = 1;

  /** The stream forgets entries older than this (hours), read or not: size it past any outage. */
  @EnvInt()
  @IsInt()
  @Min(1)
  NATS_MAX_AGE_HOURS = 168;

  /** The stream's size limit (MiB); when full it refuses appends (the edge holds PUBACKs), never drops. */
  @EnvInt()
  @IsInt()
  @Min(1)
  NATS_MAX_MB = 10240;

  /**
   * Log messages (each the appends of one partition in one event-loop turn) awaiting the log's
   * acknowledgement at once; more wait for a slot.
   */
  @EnvInt()
  @IsInt()
  @Min(1)
  @Max(100000)
  NATS_APPEND_WINDOW = 1024;

  /** How long an append waits for the log's acknowledgement before it fails (no PUBACK). */
  @EnvInt()
  @IsInt()
  @Min(100)
  NATS_APPEND_TIMEOUT_MS = 5000;
}

/** What the log reads: its settings, where NATS is, and the partition count its subjects use. */
export class LogConfig extends ConfigSlice(
  from(DeploymentSettings, 'NATS_URL'),
  from(LogSettings),
  from(PartitionsSettings),
) {}
