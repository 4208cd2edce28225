import { Logger } from '@nestjs/common';
import pg from 'pg';

/** Wait before a lost listening connection is opened again, ms. */
export const RELISTEN_AFTER_MS = 1000;

/** What a {@link PostgresChannelListener} reports. */
export interface ChannelHandlers {
  /** One NOTIFY on the channel, its payload as sent. */
  message(payload: string): void;
  /** LISTEN is in place (first time, or again after a loss): notifications from now on arrive. */
  listening(): void;
  /** The connection is lost: notifications sent from now until `listening` are missed. */
  lost(): void;
}

/**
 * One connection of its own that LISTENs on a PostgreSQL channel (a pooled connection cannot:
 * it goes back to the pool and its LISTEN with it). Notifications are sent at the commit of the
 * transaction that raised them, to every listening session, the sender's own included. A lost
 * connection is reported and opened again every {@link RELISTEN_AFTER_MS} until it is back or
 * {@link close} is called.
 */
export class PostgresChannelListener {
  private readonly logger = new Logger(PostgresChannelListener.name);
  private client: pg.Client | undefined;
  private retry: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly url: string,
    private readonly channel: string,
    private readonly handlers: ChannelHandlers,
  ) {}

  /** Resolves once listening, or once the first attempt failed (it is then retried). */
  async start(): Promise<void> {
    await this.connect();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url });
    // Errors after connect (server gone, connection killed) arrive here, then `end`.
    client.on('error', (error) => this.logger.warn(`LISTEN ${this.channel}: ${error.message}`));
    client.on('end', () => this.onEnd(client));
    client.on('notification', (n) => {
      if (n.channel === this.channel && n.payload !== undefined) this.handlers.message(n.payload);
    });
    this.client = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${pg.escapeIdentifier(this.channel)}`);
    } catch (error) {
      this.logger.warn(`LISTEN ${this.channel} failed: ${(error as Error).message}`);
      await client.end().catch(() => undefined);
      // A client that never connected may end without an `end` event.
      this.onEnd(client);
      return;
    }
    if (this.closed || this.client !== client) return;
    this.handlers.listening();
  }

  private onEnd(client: pg.Client): void {
    if (this.client !== client) return;
    this.client = undefined;
    this.handlers.lost();
    if (this.closed) return;
    this.retry = setTimeout(() => void this.connect(), RELISTEN_AFTER_MS);
    this.retry.unref();
  }
}
