import { ConfigSlice, from } from '#src/config/config-slice.js';
import { DeploymentSettings } from '#src/config/deployment.config.js';
import { EnvBool, EnvInt, EnvOptionalString } from '#src/config/env-transforms.js';
import { IsAddressList } from '#src/config/address-list.validator.js';
import { IsBoolean, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { LoggingSettings } from '#src/logging/logging.config.js';
import { Secret } from '#src/config/settings.js';

/**
 * The embedded MQTT broker's settings: listeners, limits, bans, back-pressure, Redis, TLS.
 */
export class BrokerSettings {
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
  @Secret()
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
}

/** What the embedded broker reads (its thread logs as the process does, hence the log settings). */
export class BrokerConfig extends ConfigSlice(
  from(BrokerSettings),
  from(DeploymentSettings, 'BROKER_EMBEDDED', 'DATA_DIR'),
  from(LoggingSettings),
) {}
