import { ConfigSlice, from } from '#src/config/config-slice.js';
import { DeploymentSettings } from '#src/config/deployment.config.js';
import { EnvInt, EnvOptionalString } from '#src/config/env-transforms.js';
import { Secret } from '#src/config/settings.js';
import {
  IsEmpty,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  ValidateIf,
} from 'class-validator';
import { PartitionsSettings } from '#src/partitions/partitions.config.js';

/**
 * The cluster input log on NATS JetStream: its stream, replicas, bounds and append window, and
 * how convoi authenticates to NATS (a user, a token or a credentials file; TLS).
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

  /**
   * The user convoi authenticates as on NATS (server `authorization { users: [...] }`), with
   * NATS_PASSWORD. One way to authenticate at a time: a user, a token or a credentials file.
   */
  @EnvOptionalString()
  @IsOptional()
  @IsString()
  @MinLength(1)
  NATS_USER?: string;

  /** NATS_USER's password (never logged); required with it. */
  @EnvOptionalString()
  @ValidateIf((s: LogSettings) => s.NATS_USER !== undefined || s.NATS_PASSWORD !== undefined)
  @IsString({ message: 'NATS_PASSWORD is required with NATS_USER' })
  @MinLength(1, { message: 'NATS_PASSWORD is required with NATS_USER' })
  @Secret()
  NATS_PASSWORD?: string;

  /** A token the NATS server requires (`authorization { token: ... }`); never logged. */
  @EnvOptionalString()
  @ValidateIf((s: LogSettings) => s.NATS_TOKEN !== undefined && s.NATS_USER !== undefined)
  @IsEmpty({ message: 'NATS_TOKEN and NATS_USER are two ways to authenticate: set one' })
  @IsOptional()
  @IsString()
  @Secret()
  NATS_TOKEN?: string;

  /**
   * A NATS credentials file (a user JWT and its NKey seed, `nsc generate creds`): the
   * decentralised authentication of NATS accounts. Read again at each connection, so that a
   * rotated file takes effect at the next reconnect.
   */
  @EnvOptionalString()
  @ValidateIf(
    (s: LogSettings) =>
      s.NATS_CREDS_FILE !== undefined && (s.NATS_USER !== undefined || s.NATS_TOKEN !== undefined),
  )
  @IsEmpty({ message: 'NATS_CREDS_FILE, NATS_USER and NATS_TOKEN are ways to authenticate: set one' })
  @IsOptional()
  @IsString()
  NATS_CREDS_FILE?: string;

  /**
   * The CA (PEM file) that signed the NATS servers' certificates. Set, convoi requires TLS of
   * every server (as a `tls://` URL does) and checks its certificate against this CA; unset, a
   * server that requires TLS is checked against the system's CAs.
   */
  @EnvOptionalString()
  @IsOptional()
  @IsString()
  NATS_TLS_CA_FILE?: string;

  /** Convoi's client certificate (PEM), for a NATS server that verifies clients (`verify: true`). */
  @EnvOptionalString()
  @ValidateIf((s: LogSettings) => s.NATS_TLS_CERT_FILE !== undefined || s.NATS_TLS_KEY_FILE !== undefined)
  @IsString({ message: 'NATS_TLS_CERT_FILE and NATS_TLS_KEY_FILE go together' })
  NATS_TLS_CERT_FILE?: string;

  /** The private key (PEM) of NATS_TLS_CERT_FILE. */
  @EnvOptionalString()
  @ValidateIf((s: LogSettings) => s.NATS_TLS_CERT_FILE !== undefined || s.NATS_TLS_KEY_FILE !== undefined)
  @IsString({ message: 'NATS_TLS_CERT_FILE and NATS_TLS_KEY_FILE go together' })
  NATS_TLS_KEY_FILE?: string;
}

/** What the log reads: its settings, where NATS is, and the partition count its subjects use. */
export class LogConfig extends ConfigSlice(
  from(DeploymentSettings, 'NATS_URL'),
  from(LogSettings),
  from(PartitionsSettings),
) {}
