import { parseAddressList } from '#src/config/address-list.validator.js';
import type { BrokerConfig } from './broker.config.js';
import type { ProxyProtocolConfig } from './proxy-protocol.config.js';
import { TOPIC_FILTERS } from '#src/contracts/topics.js';
import { logOutputFrom, type LogOutput } from '#src/logging/log-output.js';
import { DEFAULT_BROKER_LIMITS, type BrokerLimits } from './hardening/broker-limits.js';

/**
 * Everything the embedded broker needs to start, as plain data: it crosses to the broker thread
 * by structured clone, so no class instances and no functions.
 */
export interface BrokerSettings {
  host: string;
  port: number;
  tls?: { port: number; certFile: string; keyFile: string };
  allowAnonymous: boolean;
  limits: BrokerLimits;
  /** The in-memory credential of the platform itself (never stored, never logged). */
  platform: { username: string; password: string };
  /** Device messages on these filters go through the write-ahead inbox before their PUBACK. */
  ingestFilters: readonly string[];
  /** Folder of the inbox's SQLite file. */
  dataDir: string;
  /** Unprocessed inbox messages above which PUBACKs are held. */
  inboxHighWater: number;
  /** BROKER_REDIS_URL: sessions, retained messages and delivery shared with other edges; unset, in memory. */
  redisUrl?: string;
  /** BROKER_PROXY_PROTOCOL_FROM: balancers whose connections open with a PROXY header; empty, none. */
  proxyProtocolFrom: readonly string[];
  /** LOG_LEVEL and LOG_FORMAT, so the broker thread logs what and as the main thread does. */
  log: LogOutput;
}

/** Device messages the embedded broker receives go to the inbox before they are acknowledged. */
export const INGEST_TOPIC_FILTERS = [
  TOPIC_FILTERS.deviceTelemetry,
  TOPIC_FILTERS.chirpstackUplink,
  TOPIC_FILTERS.ttsUplink,
] as const;

export function brokerSettingsFrom(
  config: BrokerConfig,
  proxy: ProxyProtocolConfig,
  platform: { username: string; password: string },
): BrokerSettings {
  return {
    host: config.BROKER_HOST,
    port: config.BROKER_PORT,
    tls:
      config.BROKER_TLS_CERT_FILE && config.BROKER_TLS_KEY_FILE
        ? {
            port: config.BROKER_TLS_PORT,
            certFile: config.BROKER_TLS_CERT_FILE,
            keyFile: config.BROKER_TLS_KEY_FILE,
          }
        : undefined,
    allowAnonymous: config.BROKER_ALLOW_ANONYMOUS,
    limits: brokerLimitsFrom(config),
    platform: { username: platform.username, password: platform.password },
    ingestFilters: INGEST_TOPIC_FILTERS,
    dataDir: config.DATA_DIR,
    inboxHighWater: config.BROKER_INBOX_HIGH_WATER,
    redisUrl: config.BROKER_REDIS_URL,
    proxyProtocolFrom: parseAddressList(proxy.BROKER_PROXY_PROTOCOL_FROM),
    log: logOutputFrom(config),
  };
}

/** The hardened edge's limits from configuration (the rest keep their defaults). */
export function brokerLimitsFrom(config: BrokerConfig): BrokerLimits {
  return {
    ...DEFAULT_BROKER_LIMITS,
    maxPacketBytes: config.BROKER_MAX_PACKET_BYTES,
    keepaliveMaxS: config.BROKER_KEEPALIVE_MAX_S,
    connectTimeoutMs: config.BROKER_CONNECT_TIMEOUT_MS,
    maxConnections: config.BROKER_MAX_CONNECTIONS,
    publishRatePerS: config.BROKER_PUBLISH_RATE_PER_S,
    publishBurst: config.BROKER_PUBLISH_BURST,
    connectionsPerIpPerMin: config.BROKER_CONNECTIONS_PER_IP_PER_MIN,
    authFailuresPerIpPerMin: config.BROKER_AUTH_FAILURES_PER_IP_PER_MIN,
    banDurationMs: config.BROKER_BAN_DURATION_S * 1000,
    banExemptAddresses: parseAddressList(config.BROKER_BAN_EXEMPT),
  };
}
