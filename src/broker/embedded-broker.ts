import { Logger } from '@nestjs/common';
import { Aedes, type AedesOptions, type AedesPublishPacket, type Client } from 'aedes';
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createSecureContext, createServer as createTlsServer } from 'node:tls';
import type { Clock } from '#src/common/clock.js';
import { RateLimitedLogger } from '#src/common/rate-limited.logger.js';
import { TopicFilterMatcher } from '#src/contracts/topic-filter.matcher.js';
import type { Metrics } from '#src/common/metrics.js';
import { createBrokerAuthHooks, type BrokerAuthDeps } from './auth/broker-auth.hooks.js';
import type { BrokerSettings } from './broker-settings.js';
import { openRedisBrokerEngines, type BrokerEngines } from './cluster/redis-broker-engines.js';
import { AddressSet } from './hardening/address-set.js';
import { aedesOptionsFromLimits } from './hardening/broker-limits.js';
import { createHardenedConnectionHandler } from './hardening/hardened-connection.handler.js';
import { IpAbuseTracker } from './hardening/ip-abuse.tracker.js';
import { openFilesShortfall, processOpenFilesLimit } from './hardening/open-files.limit.js';
import { ProxyProtocolAcceptor } from './hardening/proxy-protocol.acceptor.js';
import { tlsBehindProxy } from './hardening/tls-behind-proxy.listener.js';

/**
 * How a device message was sent: what an edge on the shared log needs for its dedupe id. The
 * PUBLISH packet itself is passed (no object built per message on the one node's hot path).
 */
export interface PublishOrigin {
  readonly qos: 0 | 1 | 2;
  /** The packet identifier of a QoS 1 or 2 PUBLISH, the same on its resends [MQTT-2.3.1-4]. */
  readonly messageId?: number | undefined;
}

/**
 * Receives a device message before it is acknowledged; calls `acknowledge` once it is safe, or
 * with an error when it could not be made safe: Aedes then closes the connection without a PUBACK,
 * and the device sends the message again once reconnected (QoS 1 back-pressure).
 */
export type IngestInterceptor = (
  topic: string,
  payload: Buffer,
  acknowledge: (error?: Error) => void,
  origin: PublishOrigin,
  clientId: string,
) => void;

export interface EmbeddedBrokerDeps {
  settings: BrokerSettings;
  credentials: BrokerAuthDeps['store'];
  metrics: Metrics;
  clock: Clock;
  /** Device messages on `settings.ingestFilters` go here before their PUBACK. */
  ingest: IngestInterceptor;
}

/**
 * Aedes behind the hardened edge (ARCHITECTURE.md §2): a guard between each socket and Aedes (packet
 * size, protocol hygiene, rate and connection limits), device and integration authentication, a
 * deny-by-default topic ACL, and optionally MQTT over TLS. Device messages on ingest topics are
 * handed to the ingest interceptor (the write-ahead inbox) inside the publish authorisation, so
 * their PUBACK is only sent once they are durable. Free of Nest's container so that it runs on
 * the main thread or on the broker thread alike.
 */
export class EmbeddedBroker {
  private readonly logger = new Logger('Broker');
  private readonly servers: Server[] = [];
  private readonly sockets = new Set<Socket>();

  private constructor(
    readonly aedes: Aedes,
    private readonly engines: BrokerEngines | undefined,
  ) {}

  static async start(deps: EmbeddedBrokerDeps): Promise<EmbeddedBroker> {
    const { settings, metrics, clock } = deps;
    const abuse = new IpAbuseTracker(settings.limits, clock);
    const hooks = createBrokerAuthHooks({
      store: deps.credentials,
      metrics,
      limits: settings.limits,
      abuse,
      allowAnonymous: settings.allowAnonymous,
      platform: settings.platform,
      clock,
    });
    const filters = settings.ingestFilters.map((f) => new TopicFilterMatcher(f));
    // Unset: Aedes's own in-memory persistence and emitter, one edge on its own.
    const engines =
      settings.redisUrl === undefined ? undefined : await openRedisBrokerEngines(settings.redisUrl, clock);
    const options: AedesOptions = {
      ...aedesOptionsFromLimits(settings.limits),
      persistence: engines?.persistence,
      mq: engines?.mq,
      preConnect: hooks.preConnect,
      authenticate: hooks.authenticate,
      authorizeSubscribe: hooks.authorizeSubscribe,
      authorizeForward: hooks.authorizeForward,
      authorizePublish: (client, packet, callback) => {
        hooks.authorizePublish(client, packet, (err) => {
          if (err || !client || !filters.some((f) => f.matches(packet.topic))) {
            callback(err);
            return;
          }
          deps.ingest(packet.topic, payloadOf(packet), (error) => callback(error ?? null), packet, client.id);
        });
      },
    };
    const aedes = await Aedes.createBroker(options).catch((err: unknown) => {
      engines?.abandon();
      throw err;
    });
    const broker = new EmbeddedBroker(aedes, engines);
    broker.observe(metrics, clock);
    const handler = createHardenedConnectionHandler(broker.aedes, settings.limits, metrics, {
      clock,
      abuse,
    });
    // BROKER_PROXY_PROTOCOL_FROM: connections from these balancers open with a PROXY header.
    const proxy =
      settings.proxyProtocolFrom.length === 0
        ? undefined
        : new ProxyProtocolAcceptor(
            new AddressSet(settings.proxyProtocolFrom),
            settings.limits.connectTimeoutMs,
            metrics,
            clock,
          );
    const plain = createServer({ noDelay: true }, proxy?.listener(handler) ?? handler);
    await broker.listen(plain, settings.port, settings.host, 'MQTT');
    const shortfall = openFilesShortfall(settings.limits.maxConnections, processOpenFilesLimit());
    if (shortfall !== undefined) broker.logger.warn(shortfall);
    if (settings.tls) {
      const credentials = {
        cert: readFileSync(settings.tls.certFile),
        key: readFileSync(settings.tls.keyFile),
        minVersion: 'TLSv1.2' as const,
      };
      const tls = createTlsServer(credentials, handler);
      const tlsErrors = metrics.counter('convoi_broker_tls_errors_total', 'Failed TLS handshakes');
      tls.on('tlsClientError', () => tlsErrors.inc());
      const behindProxy = (acceptor: ProxyProtocolAcceptor): Server =>
        createServer(
          { noDelay: true },
          acceptor.listener(
            tlsBehindProxy({
              server: tls,
              secureContext: createSecureContext(credentials),
              handshakeTimeoutMs: settings.limits.connectTimeoutMs,
              admit: handler,
              onHandshakeError: () => tlsErrors.inc(),
            }),
          ),
        );
      await broker.listen(
        proxy ? behindProxy(proxy) : tls,
        settings.tls.port,
        settings.host,
        'MQTT over TLS',
      );
    }
    return broker;
  }

  /** The port actually bound by the plain listener (differs from BROKER_PORT when that is 0). */
  port(): number | undefined {
    return (this.servers[0]?.address() as AddressInfo | null)?.port;
  }

  /** The port actually bound by the TLS listener, if any. */
  tlsPort(): number | undefined {
    return (this.servers[1]?.address() as AddressInfo | null)?.port;
  }

  isListening(): boolean {
    return this.servers[0]?.listening === true && !this.aedes.closed;
  }

  /** Publishes as the platform itself (alert events): no socket, no credential. */
  publish(packet: Pick<AedesPublishPacket, 'topic' | 'payload' | 'qos' | 'retain'>): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.aedes.closed) {
        reject(new Error('broker closed'));
        return;
      }
      this.aedes.publish({ cmd: 'publish', dup: false, ...packet }, (err) => (err ? reject(err) : resolve()));
    });
  }

  /**
   * Stops accepting, closes Aedes (which ends its clients' sessions), then destroys any socket
   * still open: `server.close` alone waits for every connection, so a client that never
   * disconnects would hold shutdown forever.
   */
  async close(): Promise<void> {
    const closed = this.servers
      .filter((server) => server.listening)
      .map((server) => new Promise<void>((resolve) => server.close(() => resolve())));
    if (!this.aedes.closed) await new Promise<void>((resolve) => this.aedes.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await Promise.all(closed);
    await this.engines?.close();
  }

  private async listen(server: Server, port: number, host: string, what: string): Promise<void> {
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    this.servers.push(server);
    const listening = { host, port: (server.address() as AddressInfo).port };
    this.logger.log(listening, `${what} listening on ${host}:${listening.port}`);
  }

  private observe(metrics: Metrics, clock: Clock): void {
    // A fuzzer or a misbehaving fleet makes one error per connection: the same limit as
    // ingestion's rejection lines, with a summary of what was left out.
    const clientErrors = new RateLimitedLogger(this.logger, clock, 'client errors');
    const connections = metrics.gauge(
      'convoi_broker_connections',
      'MQTT clients connected to the embedded broker',
    );
    this.aedes.on('client', (client: Client) => {
      connections.inc();
      if (Logger.isLevelEnabled('debug')) this.logger.debug({ clientId: client.id }, 'MQTT client connected');
    });
    this.aedes.on('clientDisconnect', (client: Client) => {
      connections.dec();
      if (Logger.isLevelEnabled('debug'))
        this.logger.debug({ clientId: client.id }, 'MQTT client disconnected');
    });
    this.aedes.on('clientError', (client: Client, err: Error) => {
      clientErrors.warn({ clientId: client.id, reason: err.message }, 'MQTT client error');
    });
  }
}

function payloadOf(packet: { payload: Buffer | string }): Buffer {
  const payload = packet.payload;
  return typeof payload === 'string' ? Buffer.from(payload) : payload;
}
