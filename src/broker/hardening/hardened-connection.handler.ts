import { Logger } from '@nestjs/common';
import type { Aedes } from 'aedes';
import type { Metrics } from '#src/common/metrics.js';
import { Clock } from '#src/common/clock.js';
import { RateLimitedLogger } from '#src/common/rate-limited.logger.js';
import type { BrokerLimits } from './broker-limits.js';
import { brokerRejections, type BrokerRejectionReason } from './broker-rejections.metric.js';
import { GuardedConnection, type GuardableSocket } from './guarded-connection.js';
import { IpAbuseTracker } from './ip-abuse.tracker.js';
import type { ProxiedPeer } from './proxy-header.parser.js';

export interface HardenedConnectionOptions {
  clock?: Clock;
  /** Shared with the auth hooks, so failed logins count towards the same ban. */
  abuse?: IpAbuseTracker;
}

/** What the broker service hands to `net.createServer` / `tls.createServer`. */
export interface HardenedConnectionHandler {
  /** `peer`: the client a trusted load balancer's PROXY header named, instead of the socket's address. */
  (socket: GuardableSocket, peer?: ProxiedPeer): void;
  /** Guarded connections currently open. */
  readonly openConnections: number;
}

/**
 * Builds the connection listener of the hardened broker: refuses banned addresses, addresses
 * opening connections too fast, and connections past the cap, then puts a
 * {@link GuardedConnection} between the socket and Aedes. Every refusal is counted in
 * `convoi_broker_rejected_total{reason}`. Behind a load balancer speaking the PROXY protocol, every
 * count, ban and log line is about the client its header named ({@link ProxyProtocolAcceptor}).
 */
export function createHardenedConnectionHandler(
  broker: Pick<Aedes, 'handle'>,
  limits: BrokerLimits,
  metrics: Metrics,
  options: HardenedConnectionOptions = {},
): HardenedConnectionHandler {
  const clock = options.clock ?? new Clock();
  // One line per refused connection or ban: limited as ingestion's rejection lines are.
  const logger = new RateLimitedLogger(new Logger('BrokerEdge'), clock, 'refused connections');
  const abuse = options.abuse ?? new IpAbuseTracker(limits, clock);
  const rejections = brokerRejections(metrics);
  let open = 0;

  const refuse = (socket: GuardableSocket, reason: BrokerRejectionReason): void => {
    rejections.inc({ reason });
    socket.destroy();
  };
  const onReject = (reason: BrokerRejectionReason, connection: GuardedConnection): void => {
    rejections.inc({ reason });
    // Addresses only: client ids and topics from a hostile client are not echoed into logs.
    // A PROXY header from an address not trusted for it is a misconfigured balancer, or a client
    // forging its address: worth a warning.
    if (reason === 'proxy_header_untrusted')
      logger.warn({ remoteAddress: connection.remoteAddress, reason }, 'MQTT connection refused');
    else if (Logger.isLevelEnabled('debug'))
      logger.debug({ remoteAddress: connection.remoteAddress, reason }, 'MQTT connection refused');
  };

  const handler = (socket: GuardableSocket, peer?: ProxiedPeer): void => {
    const address = peer?.address ?? socket.remoteAddress ?? 'unknown';
    // A socket closed while queued in the backlog still needs its error handled.
    socket.on('error', () => undefined);
    if (abuse.isBanned(address)) return refuse(socket, 'banned');
    if (!abuse.noteConnection(address)) {
      logger.warn(
        { remoteAddress: address, reason: 'connection_rate', banMs: limits.banDurationMs },
        'MQTT address banned',
      );
      return refuse(socket, 'connection_rate');
    }
    if (open >= limits.maxConnections) return refuse(socket, 'max_connections');
    open++;
    const connection = new GuardedConnection(socket, limits, clock, onReject, peer);
    connection.once('close', () => open--);
    broker.handle(connection);
  };
  Object.defineProperty(handler, 'openConnections', { get: () => open });
  return handler as HardenedConnectionHandler;
}
