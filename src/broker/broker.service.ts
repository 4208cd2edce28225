import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Aedes, type AedesOptions, type Client } from 'aedes';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { AppConfig } from '#src/config/app-config.js';
import { Metrics } from '#src/common/metrics.js';
import { PlatformCredential } from './platform-credential.js';

/** CONNACK return code 4 (MQTT 3.1.1 §3.2.2.3): bad user name or password. */
const BAD_USERNAME_OR_PASSWORD = 4;

/**
 * The embedded Aedes broker (DESIGN.md §2): listens on BROKER_HOST:BROKER_PORT, logs connects and
 * disconnects, closes cleanly on shutdown. Without BROKER_ALLOW_ANONYMOUS only convoi's own
 * consumer may connect until device credentials exist.
 */
@Injectable()
export class BrokerService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(BrokerService.name);
  private broker?: Aedes;
  private server?: Server;
  private readonly connections;

  constructor(
    private readonly config: AppConfig,
    private readonly platform: PlatformCredential,
    metrics: Metrics,
  ) {
    this.connections = metrics.gauge(
      'convoi_broker_connections',
      'MQTT clients connected to the embedded broker',
    );
  }

  async onModuleInit(): Promise<void> {
    if (!this.config.BROKER_EMBEDDED) return;
    if (this.config.BROKER_ALLOW_ANONYMOUS) {
      this.logger.warn('BROKER_ALLOW_ANONYMOUS=true: any MQTT client may connect (development only)');
    }
    this.broker = await Aedes.createBroker(this.options());
    this.broker.on('client', (client: Client) => {
      this.connections.inc();
      this.logger.log(`MQTT client connected: ${client.id}`);
    });
    this.broker.on('clientDisconnect', (client: Client) => {
      this.connections.dec();
      this.logger.log(`MQTT client disconnected: ${client.id}`);
    });
    this.broker.on('clientError', (client: Client, err: Error) => {
      this.logger.warn(`MQTT client ${client.id} error: ${err.message}`);
    });
    const broker = this.broker;
    this.server = createServer({ noDelay: true }, (socket) => broker.handle(socket));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.config.BROKER_PORT, this.config.BROKER_HOST, () => resolve());
    });
    this.logger.log(`MQTT broker listening on ${this.config.BROKER_HOST}:${this.port()}`);
  }

  /** The port actually bound (differs from BROKER_PORT when that is 0). */
  port(): number {
    return (this.server?.address() as AddressInfo | null)?.port ?? this.config.BROKER_PORT;
  }

  /** URL the in-process consumer uses to reach this broker. */
  localUrl(): string {
    return `mqtt://127.0.0.1:${this.port()}`;
  }

  isListening(): boolean {
    return this.server?.listening === true && this.broker?.closed === false;
  }

  /** The Aedes instance, for in-process publishing (alerts) and hooks. */
  instance(): Aedes | undefined {
    return this.broker;
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    const broker = this.broker;
    if (server?.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    if (broker && !broker.closed) await new Promise<void>((resolve) => broker.close(() => resolve()));
  }

  private options(): AedesOptions {
    return {
      authenticate: (client, username, password, done) => {
        if (this.config.BROKER_ALLOW_ANONYMOUS || this.platform.matches(username, password)) {
          done(null, true);
          return;
        }
        const error = Object.assign(new Error('Bad user name or password'), {
          returnCode: BAD_USERNAME_OR_PASSWORD,
        });
        this.logger.warn(`MQTT connection refused: client ${client.id} bad credentials`);
        done(error, false);
      },
    };
  }
}
