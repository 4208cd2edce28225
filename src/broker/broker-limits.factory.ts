import type { AppConfig } from '#src/config/app-config.js';
import { DEFAULT_BROKER_LIMITS, type BrokerLimits } from './hardening/broker-limits.js';

/** The hardened edge's limits from configuration (the rest keep their defaults). */
export function brokerLimitsFrom(config: AppConfig): BrokerLimits {
  return {
    ...DEFAULT_BROKER_LIMITS,
    maxPacketBytes: config.BROKER_MAX_PACKET_BYTES,
    keepaliveMaxS: config.BROKER_KEEPALIVE_MAX_S,
    connectTimeoutMs: config.BROKER_CONNECT_TIMEOUT_MS,
    maxConnections: config.BROKER_MAX_CONNECTIONS,
    publishRatePerS: config.BROKER_PUBLISH_RATE_PER_S,
    publishBurst: config.BROKER_PUBLISH_BURST,
  };
}
