import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { IsAddressList } from './address-list.validator.js';
import { EnvBool, EnvInt, EnvOptionalInt, EnvOptionalString } from './env-transforms.js';

/**
 * Every setting of convoi, read from environment variables (and `.env`) once at start.
 * Property names are the variable names, so an error message names the variable to fix.
 * `.env.example` documents each one; keep both in step.
 */
export class AppConfig {
  /** Interface the HTTP API listens on. */
  @IsString()
  HTTP_HOST = '0.0.0.0';

  /** Port of the HTTP API (REST, OpenAPI, health, metrics). */
  @EnvInt()
  @IsInt()
  @Min(0)
  @Max(65535)
  HTTP_PORT = 3000;

  /** Run the embedded Aedes broker. Set false to use an external broker (MQTT_URL). */
  @EnvBool()
  @IsBoolean()
  BROKER_EMBEDDED = true;

  /** Interface the embedded broker listens on. */
  @IsString()
  BROKER_HOST = '0.0.0.0';

  /** TCP port of the embedded broker. */
  @EnvInt()
  @IsInt()
  @Min(0)
  @Max(65535)
  BROKER_PORT = 1883;

  /**
   * Run the embedded broker (Aedes, its hardened edge and write-ahead inbox) on its own thread, so
   * that it and the pipeline each have a core. false: everything on the main thread (one core).
   */
  @EnvBool()
  @IsBoolean()
  BROKER_THREAD = true;

  /** Development only: let MQTT clients connect without credentials. */
  @EnvBool()
  @IsBoolean()
  BROKER_ALLOW_ANONYMOUS = false;

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
  MQTT_PASSWORD?: string;

  /**
   * External broker only: the consumer subscribes with the MQTT shared subscription
   * `$share/<group>/<filter>`, so that the convoi nodes of one group share the messages (each
   * goes to one of them). Empty: a plain subscription (one node per broker). A share name holds
   * no `/`, `+` or `#` [MQTT-4.8.2-2].
   */
  @EnvOptionalString()
  @IsOptional()
  @Matches(/^[^/+#]+$/, { message: 'MQTT_SHARE_GROUP must not contain /, + or #' })
  MQTT_SHARE_GROUP?: string = 'convoi';

  /**
   * External broker only: the consumer's MQTT client id, the key of its persistent session (the
   * messages queued while it reconnects). Default `convoi-ingestion-<hostname>-<pid>`; set a
   * stable one per node to keep the session across restarts.
   */
  @EnvOptionalString()
  @IsOptional()
  @IsString()
  MQTT_CLIENT_ID?: string;

  /** Folder for the SQLite database and other state. */
  @IsString()
  @MinLength(1)
  DATA_DIR = './data';

  /**
   * Partitions the containers are spread over (`contracts/partition.ts`): the unit of ordering,
   * checkpoint and replay of the state kept per container. Fixed for the life of the data: the
   * count is recorded in `DATA_DIR` at first start, and a start with another one is refused.
   */
  @EnvInt()
  @IsInt()
  @Min(1)
  @Max(4096)
  PARTITIONS = 64;

  /**
   * Milliseconds between checkpoints of the containers' state (ARCHITECTURE.md §5): about what a
   * crash, or a partition's takeover, replays at most. Unset: 5 s on SQLite, 30 s with
   * DATABASE_URL, where a busy fleet's checkpoint is most of the shared server's work
   * (PERFORMANCE.md, "The state checkpoint on PostgreSQL").
   */
  @EnvOptionalInt()
  @IsOptional()
  @IsInt()
  @Min(1000)
  @Max(600_000)
  STATE_CHECKPOINT_MS?: number;

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
  DATABASE_URL?: string;

  /**
   * NATS server(s) holding the input log in cluster mode (JetStream, `src/log/`), comma-separated
   * `nats://host:port`. Unset: the single-node inbox. Set (with DATABASE_URL): cluster mode, the
   * edges append to it and the processors read their partitions of it (CONVOI_ROLES). No
   * credentials in it (NATS authentication is not built yet); masked in error messages all the same.
   */
  @EnvOptionalString()
  @IsOptional()
  @Matches(/^nats:\/\/[^\s,@]+(,nats:\/\/[^\s,@]+)*$/, {
    message: 'NATS_URL must be nats://host:port, comma-separated, without credentials',
  })
  NATS_URL?: string;

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

  /** Fleet seed (sites, containers, devices) imported at start; empty to skip. */
  @IsString()
  FLEET_SEED_FILE = 'config/fleet.example.json';

  /** Log level: error, warn, log, debug, verbose. */
  @IsIn(['error', 'warn', 'log', 'debug', 'verbose'])
  LOG_LEVEL: 'error' | 'warn' | 'log' | 'debug' | 'verbose' = 'log';

  /**
   * Log lines: `json` (one JSON object a line, for journald, Loki or ELK) or `pretty` (for people).
   * Unset: pretty when standard output is a terminal, JSON otherwise. Colours only on a terminal.
   */
  @EnvOptionalString()
  @IsOptional()
  @IsIn(['json', 'pretty'])
  LOG_FORMAT?: 'json' | 'pretty';

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

  /** How many recent rejections are kept for field technicians (in memory, per process). */
  @EnvInt()
  @IsInt()
  @Min(10)
  @Max(1_000_000)
  REJECTIONS_LOG_SIZE = 1000;

  /** InfluxDB base URL; when set, time series go to InfluxDB instead of the embedded store. */
  @EnvOptionalString()
  @IsOptional()
  @IsUrl({ protocols: ['http', 'https'], require_tld: false, require_protocol: true })
  INFLUX_URL?: string;

  /** InfluxDB API token (never logged). */
  @EnvOptionalString()
  @IsOptional()
  @IsString()
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

  /**
   * The first admin API key (at least 32 characters, e.g. `cv_` + 43 random base64url). Stored as
   * a SHA-256 digest, never logged. Unset: a key is generated at first start and logged once.
   */
  @EnvOptionalString()
  @IsOptional()
  @IsString()
  @MinLength(32)
  @MaxLength(200)
  @Matches(/^[A-Za-z0-9_-]+$/, { message: 'CONVOI_ADMIN_KEY must be base64url characters (A-Z a-z 0-9 _ -)' })
  CONVOI_ADMIN_KEY?: string;

  /** Requests one API key may make per window (REST rate limit; 429 with Retry-After beyond). */
  @EnvInt()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  API_RATE_LIMIT = 600;

  /** Length of the REST rate-limit window, ms. */
  @EnvInt()
  @IsInt()
  @Min(1000)
  @Max(3_600_000)
  API_RATE_WINDOW_MS = 60_000;

  /** Webhook URLs that receive every alert change (comma-separated; empty for none). */
  @Matches(/^(https?:\/\/[^\s,]+)?(,https?:\/\/[^\s,]+)*$/, {
    message: 'ALERT_WEBHOOK_URLS must be a comma-separated list of http(s) URLs',
  })
  ALERT_WEBHOOK_URLS = '';

  /** HMAC-SHA256 key signing webhook bodies (header X-Convoi-Signature; never logged). */
  @EnvOptionalString()
  @IsOptional()
  @IsString()
  @MinLength(16)
  ALERT_WEBHOOK_SECRET?: string;

  /** Delivery attempts per webhook call before it is given up (backoff doubles, up to 1 h). */
  @EnvInt()
  @IsInt()
  @Min(1)
  @Max(30)
  ALERT_WEBHOOK_MAX_ATTEMPTS = 10;

  /** How often time-driven rules (offline) are evaluated, ms. */
  @EnvInt()
  @IsInt()
  @Min(100)
  @Max(600_000)
  RULES_TICK_MS = 10_000;

  /**
   * How long an uplink's idempotency key is remembered, ms: repeats within it (several gateways,
   * QoS 1 redelivery, replays) are dropped before storage and rules.
   */
  @EnvInt()
  @IsInt()
  @Min(1000)
  @Max(86_400_000)
  DEDUPE_WINDOW_MS = 600_000;

  /** How many LoRaWAN frame counters back an uplink still counts as late (1…32), not stale. */
  @EnvInt()
  @IsInt()
  @Min(1)
  @Max(32)
  FCNT_LATE_WINDOW = 32;

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

  /**
   * Longest stop outside any site before a `dwell` alert, minutes (journeys). 60 by default so
   * the 45-minute break EU drivers must take after 4.5 h at the wheel (Reg. 561/2006) is not an
   * alert.
   */
  @EnvInt()
  @IsInt()
  @Min(1)
  @Max(1440)
  JOURNEY_DWELL_MAX_MIN = 60;

  /** How far the ETA may pass the planned arrival before an `arrival-delay` alert, minutes. */
  @EnvInt()
  @IsInt()
  @Min(0)
  @Max(1440)
  JOURNEY_ARRIVAL_DELAY_TOLERANCE_MIN = 30;

  /** Largest MQTT packet the broker accepts, bytes; larger ones are cut at the fixed header. */
  @EnvInt()
  @IsInt()
  @Min(1024)
  @Max(16 * 1024 * 1024)
  BROKER_MAX_PACKET_BYTES = 65_536;

  /**
   * Largest keep-alive an MQTT client may ask for, seconds. A client asking for 0 (none) gets this
   * one: it is closed after 1.5 times it without a packet.
   */
  @EnvInt()
  @IsInt()
  @Min(10)
  @Max(65_535)
  BROKER_KEEPALIVE_MAX_S = 3600;

  /** Time a new MQTT connection has to send its CONNECT, ms. */
  @EnvInt()
  @IsInt()
  @Min(100)
  @Max(120_000)
  BROKER_CONNECT_TIMEOUT_MS = 10_000;

  /** Most simultaneous MQTT connections. */
  @EnvInt()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  BROKER_MAX_CONNECTIONS = 200_000;

  /** Sustained PUBLISH rate of one device connection, messages/s (integrations are not limited). */
  @EnvInt()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  BROKER_PUBLISH_RATE_PER_S = 10;

  /** Burst of PUBLISH a device connection may send above its sustained rate. */
  @EnvInt()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  BROKER_PUBLISH_BURST = 100;

  /**
   * New MQTT connections one IP address may open per minute before it is banned. Raise it when
   * many devices share one address (a NAT, a cellular gateway, a LoRaWAN network server's pool).
   */
  @EnvInt()
  @IsInt()
  @Min(1)
  @Max(10_000_000)
  BROKER_CONNECTIONS_PER_IP_PER_MIN = 600;

  /**
   * Failed MQTT logins one IP address may cause per minute before it is banned (brute force);
   * 0 turns this ban off. Raise it, or exempt the address, when devices share a NAT.
   */
  @EnvInt()
  @IsInt()
  @Min(0)
  @Max(10_000_000)
  BROKER_AUTH_FAILURES_PER_IP_PER_MIN = 20;

  /** How long an address banned for failed logins or connection rate is refused, seconds. */
  @EnvInt()
  @IsInt()
  @Min(1)
  @Max(86_400)
  BROKER_BAN_DURATION_S = 300;

  /**
   * Addresses never banned: comma-separated IPs and CIDR blocks (`10.20.0.0/16,192.0.2.7`), e.g.
   * a NAT or network server shared by many devices.
   */
  @IsAddressList()
  BROKER_BAN_EXEMPT = '';

  /**
   * Load balancers that send the PROXY protocol (HAProxy `send-proxy-v2` or `send-proxy`):
   * comma-separated IPs and CIDR blocks. Their connections must open with a PROXY header, and the
   * client it names is the one the MQTT edge counts, bans and logs. Empty: off.
   */
  @IsAddressList()
  BROKER_PROXY_PROTOCOL_FROM = '';

  /**
   * Acknowledged messages the pipeline may be behind before the broker holds new PUBACKs (QoS 1
   * back-pressure): bounds the write-ahead inbox instead of letting a burst grow it without end.
   */
  @EnvInt()
  @IsInt()
  @Min(100)
  @Max(10_000_000)
  BROKER_INBOX_HIGH_WATER = 50_000;

  /**
   * `redis://[user:password@]host:port[/db]` (or `rediss://`): the embedded broker keeps retained
   * messages, subscriptions and QoS 1 sessions in this Redis and delivers every publish through it
   * to the other edges sharing it (aedes-persistence-redis, mqemitter-redis; ARCHITECTURE.md §9).
   * Unset: all of that in this process's memory, as a single edge needs. A secret: never logged.
   */
  @EnvOptionalString()
  @IsOptional()
  @Matches(/^rediss?:\/\/[^\s]+$/, { message: 'BROKER_REDIS_URL must be a redis:// or rediss:// URL' })
  BROKER_REDIS_URL?: string;

  /** Port of the MQTT-over-TLS listener (only with BROKER_TLS_CERT_FILE and BROKER_TLS_KEY_FILE). */
  @EnvInt()
  @IsInt()
  @Min(0)
  @Max(65535)
  BROKER_TLS_PORT = 8883;

  /** PEM certificate (chain) of the MQTT TLS listener. */
  @EnvOptionalString()
  @IsOptional()
  @IsString()
  BROKER_TLS_CERT_FILE?: string;

  /** PEM private key of the MQTT TLS listener (the file is read, never logged). */
  @EnvOptionalString()
  @IsOptional()
  @IsString()
  BROKER_TLS_KEY_FILE?: string;

  /** PEM certificate (chain) for HTTPS on HTTP_PORT; with HTTP_TLS_KEY_FILE the API speaks only HTTPS. */
  @EnvOptionalString()
  @IsOptional()
  @IsString()
  HTTP_TLS_CERT_FILE?: string;

  /** PEM private key for HTTPS. */
  @EnvOptionalString()
  @IsOptional()
  @IsString()
  HTTP_TLS_KEY_FILE?: string;

  /**
   * Browser origins allowed to call the API (CORS), comma-separated, each `http(s)://host[:port]`
   * without a path; empty (default) sends no CORS header at all. Never `*`: origins are matched
   * exactly.
   */
  @IsString()
  @Matches(/^$|^https?:\/\/[^\s/,*]+(\s*,\s*https?:\/\/[^\s/,*]+)*$/, {
    message: 'CORS_ORIGINS must be empty or a comma-separated list of origins like https://app.example:8443',
  })
  CORS_ORIGINS = '';
}

/** Variables whose values are secrets: masked whenever configuration is printed. */
export const SECRET_CONFIG_KEYS: ReadonlySet<keyof AppConfig> = new Set<keyof AppConfig>([
  'MQTT_PASSWORD',
  'NATS_URL',
  'INFLUX_TOKEN',
  'DATABASE_URL',
  'BROKER_REDIS_URL',
  'CONVOI_ADMIN_KEY',
  'ALERT_WEBHOOK_SECRET',
]);
