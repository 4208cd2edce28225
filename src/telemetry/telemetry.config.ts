import { ConfigSlice, from } from '#src/config/config-slice.js';
import { DeploymentSettings } from '#src/config/deployment.config.js';
import { EnvInt } from '#src/config/env-transforms.js';
import { IsInt, Max, Min } from 'class-validator';

/**
 * How the embedded and PostgreSQL time-series writers batch readings.
 */
export class TelemetrySettings {
  /**
   * Readings in a batch of the time-series store (embedded: one transaction; PostgreSQL: one
   * INSERT). A full batch is written at once, without waiting for TELEMETRY_FLUSH_MS.
   */
  @EnvInt()
  @IsInt()
  @Min(1)
  @Max(100_000)
  TELEMETRY_BATCH_SIZE = 5000;

  /**
   * Longest time an accepted reading waits before its batch is written, ms. With the embedded
   * broker the pipeline flushes after every inbox batch anyway; this bounds the latency of the
   * external-broker path (at 200 ms its p99 publish → stored sat at ~210 ms at any rate).
   */
  @EnvInt()
  @IsInt()
  @Min(1)
  @Max(60_000)
  TELEMETRY_FLUSH_MS = 50;
}

/** What the embedded time-series store reads: its batching, and its directory. */
export class EmbeddedTelemetryConfig extends ConfigSlice(
  from(TelemetrySettings),
  from(DeploymentSettings, 'DATA_DIR'),
) {}
