import { EnvBool, EnvOptionalString } from './env-transforms.js';
import { IsBoolean, IsOptional, IsString, IsUrl, Matches, MinLength } from 'class-validator';
import { Secret } from './settings.js';

/**
 * The shape of this process and the engines it talks to: its roles, where its data lives (the
 * SQLite directory or PostgreSQL), the shared log, and the broker (embedded or external). Most
 * features read some of them, so no feature owns them; slices take the ones they need.
 */
export class DeploymentSettings {
  /**
   * What this process does, a comma list of `edge` (the MQTT broker), `processor` (the pipeline,
   * on the partitions it leases) and `api` (REST). All three, the default, without NATS_URL is one
   * node as before; a split (any other list) is cluster mode and needs DATABASE_URL and NATS_URL
   * (`config/process-roles.ts`, ARCHITECTURE.md §9).
   */
  @Matches(/^\s*(edge|processor|api)\s*(,\s*(edge|processor|api)\s*)*$/, {
    message: 'CONVOI_ROLES must be a comma list of edge, processor and api',
  })
  CONVOI_ROLES = 'edge,processor,api';

  /** Folder for the SQLite database and other state. */
  @IsString()
  @MinLength(1)
  DATA_DIR = './data';

  /**
   * `postgres://user:password@host:5432/db`: the operational store's PostgreSQL (for the features
   * moved there so far, ARCHITECTURE.md §5); unset keeps everything in SQLite in `DATA_DIR`.
   * A secret: its password is never logged.
   */
  @EnvOptionalString()
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/[^\s]+$/, {
    message: 'DATABASE_URL must be a postgres:// or postgresql:// URL',
  })
  @Secret()
  DATABASE_URL?: string;

  /**
   * NATS server(s) holding the input log in cluster mode (JetStream, `src/log/`), comma-separated
   * `nats://host:port` (or `tls://host:port` to require TLS). Unset: the single-node inbox. Set
   * (with DATABASE_URL): cluster mode, the edges append to it and the processors read their
   * partitions of it (CONVOI_ROLES). No credentials in it: they go in NATS_USER/NATS_PASSWORD,
   * NATS_TOKEN or NATS_CREDS_FILE (`log/log.config.ts`), which are never logged; a URL is.
   * Masked in error messages all the same.
   */
  @EnvOptionalString()
  @IsOptional()
  @Matches(/^(nats|tls):\/\/[^\s,@]+(,(nats|tls):\/\/[^\s,@]+)*$/, {
    message:
      'NATS_URL must be nats://host:port or tls://host:port, comma-separated, without credentials (use NATS_USER and NATS_PASSWORD, NATS_TOKEN or NATS_CREDS_FILE)',
  })
  @Secret()
  NATS_URL?: string;

  /** Run the embedded Aedes broker. Set false to use an external broker (MQTT_URL). */
  @EnvBool()
  @IsBoolean()
  BROKER_EMBEDDED = true;

  /** Broker the ingestion consumer connects to. Default: the embedded broker on loopback. */
  @EnvOptionalString()
  @IsOptional()
  @IsUrl({
    protocols: ['mqtt', 'mqtts', 'tcp', 'ssl', 'ws', 'wss'],
    require_tld: false,
    require_protocol: true,
  })
  MQTT_URL?: string;

  /** Username of the ingestion consumer on the broker. */
  @EnvOptionalString()
  @IsOptional()
  @IsString()
  MQTT_USERNAME?: string;

  /** Password of the ingestion consumer on the broker (never logged). */
  @EnvOptionalString()
  @IsOptional()
  @IsString()
  @Secret()
  MQTT_PASSWORD?: string;
}
