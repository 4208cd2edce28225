import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import { OperationalDatabase } from './operational-database.js';

/** Wait before connecting again after the listening session was lost, ms. */
export const RECONNECT_MS = 1000;

/** The listening sessions' `application_name` (pg_stat_activity). */
export const LISTENER_APPLICATION = 'convoi-notifications';

/** PostgreSQL refuses a NOTIFY payload of 8,000 bytes or more; publishers send less. */
export const NOTIFY_MAX_BYTES = 7_000;

/** What a subscriber of a channel is told. */
export interface ChannelSubscriber {
  /** A message another node (or a trigger) sent on the channel, as JSON. */
  message(payload: Record<string, unknown>): void;
  /** Listening again after the session was lost: messages sent meanwhile were missed. */
  missed?(): void;
  /** Listening (first time, or again): messages from now on arrive. */
  listening?(): void;
  /** The session is lost: messages sent from now until `listening` are missed. */
  lost?(): void;
}

/**
 * Messages between the nodes sharing one PostgreSQL, through LISTEN/NOTIFY: a node that changed
 * something others keep in memory says so, and the others read it again. A NOTIFY sent within a
 * transaction is delivered at its commit, and never if it rolls back. Delivery is not durable: a
 * node whose listening session was lost is told ({@link subscribe}'s `onMissed`) once it listens
 * again, and reads again whatever it keeps. On SQLite there is one node: nothing is sent.
 */
@Injectable()
export class StoreNotifications implements OnApplicationShutdown {
  private readonly logger = new Logger(StoreNotifications.name);
  /** Tells this node's own messages from others' (its pool's sessions are not the listener's). */
  private readonly nodeId = randomUUID();
  private readonly channels = new Map<string, ChannelSubscriber[]>();
  private client: pg.Client | undefined;
  private connecting: Promise<void> | undefined;
  private retry: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly store: OperationalDatabase) {}

  /** True when other nodes may share the store (PostgreSQL). */
  get shared(): boolean {
    return this.store.dialect === 'postgres';
  }

  /** Sends `payload` to the other nodes listening on `channel`: at the commit of `executor` when it is a transaction. */
  async publish(channel: string, payload: object, executor: Kysely<object> = this.store.db): Promise<void> {
    if (!this.shared) return;
    const text = JSON.stringify({ ...payload, node: this.nodeId });
    await sql`SELECT pg_notify(${channel}, ${text})`.execute(executor);
  }

  /**
   * Tells `subscriber` each message published on `channel` by another node, and when this node's
   * listening session is lost and listens again. Resolves once listening.
   */
  async subscribe(channel: string, subscriber: ChannelSubscriber): Promise<void> {
    if (!this.shared) return;
    this.channels.set(channel, [...(this.channels.get(channel) ?? []), subscriber]);
    if (this.connecting === undefined) {
      // The first session LISTENs on every channel subscribed so far, and tells their subscribers.
      await (this.connecting = this.listen(false));
      return;
    }
    await this.connecting;
    // A session lost meanwhile LISTENs on this channel too when it is back, and says so then.
    if (this.client === undefined) return;
    await this.client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    subscriber.listening?.();
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async listen(again: boolean): Promise<void> {
    const client = new pg.Client({
      connectionString: this.store.url,
      application_name: LISTENER_APPLICATION,
      keepAlive: true,
    });
    // Registered before connecting: an error event with no listener would end the process.
    client.on('error', (error) => this.lost(client, error.message));
    client.on('end', () => this.lost(client, 'connection ended'));
    client.on('notification', (message) => this.deliver(message));
    await client.connect();
    for (const channel of this.channels.keys()) await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    this.client = client;
    for (const subscriber of [...this.channels.values()].flat()) {
      subscriber.listening?.();
      if (again) subscriber.missed?.();
    }
  }

  private deliver(message: pg.Notification): void {
    let payload: Record<string, unknown>;
    try {
      payload = JSON.parse(message.payload ?? '{}') as Record<string, unknown>;
    } catch {
      this.logger.warn(`unreadable notification on ${message.channel}`);
      return;
    }
    if (payload.node === this.nodeId) return;
    for (const subscriber of this.channels.get(message.channel) ?? []) subscriber.message(payload);
  }

  private lost(client: pg.Client, reason: string): void {
    if (client !== this.client || this.closed) return;
    this.client = undefined;
    void client.end().catch(() => undefined);
    for (const subscriber of [...this.channels.values()].flat()) subscriber.lost?.();
    this.logger.warn(`listening session lost (${reason}): listening again in ${RECONNECT_MS} ms`);
    this.reconnectLater();
  }

  private reconnectLater(): void {
    this.retry = setTimeout(() => {
      this.listen(true).catch((error: unknown) => {
        this.logger.warn(`cannot listen again: ${String(error)}`);
        if (!this.closed) this.reconnectLater();
      });
    }, RECONNECT_MS);
  }
}
