import type { AedesOptions } from 'aedes';

/**
 * Limits of the hardened MQTT edge. One plain object so the broker service can build it from
 * its settings (broker.config.ts); every field has a default in {@link DEFAULT_BROKER_LIMITS}.
 */
export interface BrokerLimits {
  /** Largest MQTT packet accepted, whole frame in bytes; checked at the fixed header. */
  maxPacketBytes: number;
  /** Longest topic name or filter, UTF-8 bytes. */
  maxTopicBytes: number;
  /** Most `/`-separated levels in a topic (Aedes caps it at 100 itself). */
  maxTopicLevels: number;
  /**
   * Largest keep-alive a client may ask for, seconds; also the keep-alive applied to a client that
   * asked for 0 (none), so an idle connection is closed after 1.5 times this.
   */
  keepaliveMaxS: number;
  /** Time a new connection has to deliver its CONNECT, ms. */
  connectTimeoutMs: number;
  /** Cap on simultaneous connections to this listener. */
  maxConnections: number;
  /** Sustained PUBLISH rate of one device connection, packets per second. */
  publishRatePerS: number;
  /** Burst a device connection may send above the sustained rate, packets. */
  publishBurst: number;
  /** Sustained PUBLISH rate of integration/platform/operator connections; 0 = unlimited. */
  trustedPublishRatePerS: number;
  /** New connections one IP may open per minute before it is banned. */
  connectionsPerIpPerMin: number;
  /** Failed authentications one IP may cause per minute before it is banned; 0 = never banned for it. */
  authFailuresPerIpPerMin: number;
  /** How long a banned IP is refused, ms. */
  banDurationMs: number;
  /** Addresses and CIDR blocks never banned (e.g. a NAT shared by devices). */
  banExemptAddresses: readonly string[];
  /** Slow subscriber: time its socket may stay full before it is dropped, ms (Aedes `drainTimeout`). */
  drainTimeoutMs: number;
  /**
   * Slow subscriber: bytes the broker may hold for one connection's socket before it is cut.
   * Below it, writes never wait, so one subscriber that stops reading cannot hold back the
   * deliveries (and the PUBACKs that follow them) of everyone else.
   */
  maxOutboundBytes: number;
  /** Packets queued while a client authenticates (Aedes `queueLimit`). */
  queueLimit: number;
}

export const DEFAULT_BROKER_LIMITS: Readonly<BrokerLimits> = Object.freeze({
  maxPacketBytes: 64 * 1024,
  maxTopicBytes: 256,
  maxTopicLevels: 16,
  keepaliveMaxS: 3600,
  connectTimeoutMs: 10_000,
  maxConnections: 200_000,
  publishRatePerS: 10,
  publishBurst: 100,
  trustedPublishRatePerS: 0,
  connectionsPerIpPerMin: 600,
  authFailuresPerIpPerMin: 20,
  banDurationMs: 5 * 60_000,
  banExemptAddresses: [],
  drainTimeoutMs: 30_000,
  maxOutboundBytes: 2 * 1024 * 1024,
  queueLimit: 42,
});

/**
 * The Aedes options that back the same limits inside Aedes (defence in depth: the guard in
 * front enforces them first, with counting and the right CONNACK).
 */
export function aedesOptionsFromLimits(limits: BrokerLimits): AedesOptions {
  return {
    connectTimeout: limits.connectTimeoutMs,
    keepaliveLimit: limits.keepaliveMaxS,
    drainTimeout: limits.drainTimeoutMs,
    queueLimit: limits.queueLimit,
    maxTopicLevels: Math.min(limits.maxTopicLevels, 100),
    maxInflightInbound: 1000,
  };
}
