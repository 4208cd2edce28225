import { ConfigSlice, from } from '#src/config/config-slice.js';
import { EnvInt, EnvOptionalString } from '#src/config/env-transforms.js';
import { IsInt, IsOptional, IsString, IsUrl, Max, Min, MinLength } from 'class-validator';
import { Secret } from '#src/config/settings.js';

/**
 * InfluxDB as the time-series store: where it is, batching, retries and the outbox's bounds.
 */
export class InfluxSettings {
  /** InfluxDB base URL; when set, time series go to InfluxDB instead of the embedded store. */
  @EnvOptionalString()
  @IsOptional()
  @IsUrl({ protocols: ['http', 'https'], require_tld: false, require_protocol: true })
  INFLUX_URL?: string;

  /** InfluxDB API token (never logged). */
  @EnvOptionalString()
  @IsOptional()
  @IsString()
  @Secret()
  INFLUX_TOKEN?: string;

  /** InfluxDB organisation. */
  @IsString()
  INFLUX_ORG = 'convoi';

  /** InfluxDB bucket (on 1.x: `database/retention-policy`). */
  @IsString()
  @MinLength(1)
  INFLUX_BUCKET = 'telemetry';

  /** Most lines in one InfluxDB write request. */
  @EnvInt()
  @IsInt()
  @Min(1)
  @Max(100_000)
  INFLUX_BATCH_SIZE = 5000;

  /** Longest time a line waits before its InfluxDB batch is sent, ms. */
  @EnvInt()
  @IsInt()
  @Min(1)
  @Max(60_000)
  INFLUX_FLUSH_MS = 1000;

  /** Most InfluxDB write requests in flight at once. */
  @EnvInt()
  @IsInt()
  @Min(1)
  @Max(64)
  INFLUX_MAX_IN_FLIGHT = 4;

  /** Timeout of one InfluxDB request, ms; a write that times out goes to the outbox. */
  @EnvInt()
  @IsInt()
  @Min(100)
  @Max(300_000)
  INFLUX_TIMEOUT_MS = 10_000;

  /** First delay before an outbox batch is retried, ms (doubles per failure, plus jitter). */
  @EnvInt()
  @IsInt()
  @Min(10)
  @Max(600_000)
  INFLUX_RETRY_MIN_MS = 1000;

  /**
   * Longest delay between two outbox retries, ms (a longer `Retry-After` still wins). While
   * InfluxDB is down this is how late its return may be noticed: at 60 s the outbox went on
   * filling for up to a minute after a long outage; one failed probe every 10 s costs nothing.
   */
  @EnvInt()
  @IsInt()
  @Min(10)
  @Max(3_600_000)
  INFLUX_RETRY_MAX_MS = 10_000;

  /** Most lines kept in the SQLite outbox; past it the oldest batches are dropped, loudly. */
  @EnvInt()
  @IsInt()
  @Min(1000)
  @Max(1_000_000_000)
  INFLUX_OUTBOX_MAX_LINES = 5_000_000;

  /** Most lines kept as InfluxDB dead letters; past it the oldest letters are dropped, loudly. */
  @EnvInt()
  @IsInt()
  @Min(1000)
  @Max(1_000_000_000)
  INFLUX_DEAD_LETTER_MAX_LINES = 1_000_000;
}

/** What the InfluxDB adapter reads. */
export class InfluxConfig extends ConfigSlice(from(InfluxSettings)) {}
