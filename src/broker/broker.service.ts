import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Aedes, type AedesOptions, type Client } from 'aedes';
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { AppConfig } from '#src/config/app-config.js';
import { Clock } from '#src/common/clock.js';
import { Metrics } from '#src/common/metrics.js';
import { createBrokerAuthHooks, type BrokerAuthHooks } from './auth/broker-auth.hooks.js';
import { DeviceCredentialStore } from './auth/device-credential.store.js';
import { brokerLimitsFrom } from './broker-limits.factory.js';
import { aedesOptionsFromLimits } from './hardening/broker-limits.js';
import { createHardenedConnectionHandler } from './hardening/hardened-connection.handler.js';
import { IpAbuseTracker } from './hardening/ip-abuse.tracker.js';
import { PlatformCredential } from './platform-credential.js';

/** Receives a device message before it is acknowledged; calls `acknowledge` once it is safe. */
export type IngestInterceptor = (topic: string, payload: Buffer, acknowledge: () => void) => void;

/**
 * The embedded Aedes broker (DESIGN.md §2) behind the hardened edge: a guard between each socket
 * and Aedes (packet size, protocol hygiene, rate and connection limits), device and integration
 * authentication, a deny-by-default topic ACL, and optionally MQTT over TLS. Device messages on
 * ingest topics are handed to the ingest interceptor (the write-ahead inbox) inside the publish
 * authorisation, so their PUBACK is only sent once they are durable.
 */
@Injectable()
export class BrokerService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(BrokerService.name);
  private broker?: Aedes;
  private readonly servers: Server[] = [];
  private readonly sockets = new Set<Socket>();
  private hooks?: BrokerAuthHooks;
  private ingest?: { filters: readonly string[][]; interceptor: IngestInterceptor };
  private readonly connections;

  constructor(
    private readonly config: AppConfig,
    private readonly platform: PlatformCredential,
    private readonly credentials: DeviceCredentialStore,
    private readonly clock: Clock,
    private readonly metrics: Metrics,
  ) {
    this.connections = metrics.gauge(
      'convoi_broker_connections',
      'MQTT clients connected to the embedded broker',
    );
  }

  /** Routes device messages on these topic filters through `interceptor` before their PUBACK. */
  interceptIngest(filters: readonly string[], interceptor: IngestInterceptor): void {
    this.ingest = { filters: filters.map((f) => f.split('/')), interceptor };
  }

  async onModuleInit(): Promise<void> {
    if (!this.config.BROKER_EMBEDDED) return;
    const limits = brokerLimitsFrom(this.config);
    const abuse = new IpAbuseTracker(limits, this.clock);
    this.hooks = createBrokerAuthHooks({
      store: this.credentials,
      metrics: this.metrics,
      limits,
      abuse,
      allowAnonymous: this.config.BROKER_ALLOW_ANONYMOUS,
      platform: this.platform,
    });
    this.broker = await Aedes.createBroker(this.options(aedesOptionsFromLimits(limits), this.hooks));
    this.observe(this.broker);
    const handler = createHardenedConnectionHandler(this.broker, limits, this.metrics, {
      clock: this.clock,
      abuse,
    });
    await this.listen(createServer({ noDelay: true }, handler), this.config.BROKER_PORT, 'MQTT');
    if (this.config.BROKER_TLS_CERT_FILE && this.config.BROKER_TLS_KEY_FILE) {
      const tls = createTlsServer(
        {
          cert: readFileSync(this.config.BROKER_TLS_CERT_FILE),
          key: readFileSync(this.config.BROKER_TLS_KEY_FILE),
          minVersion: 'TLSv1.2',
        },
        handler,
      );
      tls.on('tlsClientError', () =>
        this.metrics.counter('convoi_broker_tls_errors_total', 'Failed TLS handshakes').inc(),
      );
      await this.listen(tls, this.config.BROKER_TLS_PORT, 'MQTT over TLS');
    }
  }

  /** The port actually bound by the plain listener (differs from BROKER_PORT when that is 0). */
  port(): number {
    return (this.servers[0]?.address() as AddressInfo | null)?.port ?? this.config.BROKER_PORT;
  }

  /** The port actually bound by the TLS listener, if any. */
  tlsPort(): number | undefined {
    return (this.servers[1]?.address() as AddressInfo | null)?.port;
  }

  /** URL the in-process consumer uses to reach this broker. */
  localUrl(): string {
    return `mqtt://127.0.0.1:${this.port()}`;
  }

  isListening(): boolean {
    return this.servers[0]?.listening === true && this.broker?.closed === false;
  }

  /** The Aedes instance, for in-process publishing (alerts). */
  instance(): Aedes | undefined {
    return this.broker;
  }

  /**
   * Stops accepting, closes Aedes (which ends its clients' sessions), then destroys any socket
   * still open: `server.close` alone waits for every connection, so a client that never
   * disconnects would hold shutdown forever.
   */
  async onApplicationShutdown(): Promise<void> {
    const closed = this.servers
      .filter((server) => server.listening)
      .map((server) => new Promise<void>((resolve) => server.close(() => resolve())));
    const broker = this.broker;
    if (broker && !broker.closed) await new Promise<void>((resolve) => broker.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await Promise.all(closed);
  }

  private async listen(server: Server, port: number, what: string): Promise<void> {
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.config.BROKER_HOST, () => resolve());
    });
    this.servers.push(server);
    this.logger.log(
      `${what} listening on ${this.config.BROKER_HOST}:${(server.address() as AddressInfo).port}`,
    );
  }

  private observe(broker: Aedes): void {
    broker.on('client', (client: Client) => {
      this.connections.inc();
      this.logger.debug(`MQTT client connected: ${client.id}`);
    });
    broker.on('clientDisconnect', (client: Client) => {
      this.connections.dec();
      this.logger.debug(`MQTT client disconnected: ${client.id}`);
    });
    broker.on('clientError', (client: Client, err: Error) => {
      this.logger.warn(`MQTT client ${client.id} error: ${err.message}`);
    });
  }

  private options(base: AedesOptions, hooks: BrokerAuthHooks): AedesOptions {
    return {
      ...base,
      preConnect: hooks.preConnect,
      authenticate: hooks.authenticate,
      authorizeSubscribe: hooks.authorizeSubscribe,
      authorizeForward: hooks.authorizeForward,
      authorizePublish: (client, packet, callback) => {
        hooks.authorizePublish(client, packet, (err) => {
          const ingest = this.ingest;
          if (err || !client || !ingest || !matchesAny(ingest.filters, packet.topic)) {
            callback(err);
            return;
          }
          ingest.interceptor(packet.topic, payloadOf(packet), () => callback(null));
        });
      },
    };
  }
}

function payloadOf(packet: { payload: Buffer | string }): Buffer {
  const payload = packet.payload;
  return typeof payload === 'string' ? Buffer.from(payload) : payload;
}

/** Whether a topic matches one of the split filters (`+` one level; no `#` needed here). */
function matchesAny(filters: readonly string[][], topic: string): boolean {
  const levels = topic.split('/');
  return filters.some((f) => f.length === levels.length && f.every((l, i) => l === '+' || l === levels[i]));
}
