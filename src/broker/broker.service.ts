import { Injectable, Logger, OnApplicationShutdown, OnModuleInit, Optional } from '@nestjs/common';
import type { Aedes } from 'aedes';
import { BrokerConfig } from './broker.config.js';
import { Clock } from '#src/common/clock.js';
import { ProcessRoles } from '#src/config/process-roles.js';
import { Metrics } from '#src/common/metrics.js';
import { SqliteDatabase } from '#src/storage/sqlite-database.js';
import { DeviceCredentialStore } from './auth/device-credential.store.js';
import { brokerSettingsFrom } from './broker-settings.js';
import { INBOX_DIR } from './inbox/inbox-segment.log.js';
import type { InboxMessage } from './inbox/ingest-journal.js';
import { moveLegacyInbox } from './inbox/legacy-inbox.js';
import { PlatformCredential } from './platform-credential.js';
import { ProxyProtocolConfig } from './proxy-protocol.config.js';
import type { BrokerRuntime, PlatformPublish } from './runtime/broker-runtime.js';
import { DeviceMessageSink } from './runtime/device-message.sink.js';
import { LocalBrokerRuntime } from './runtime/local-broker.runtime.js';
import { BrokerThreadRuntime } from './thread/broker-thread.runtime.js';

type IngestSink = (messages: InboxMessage[]) => void;

/**
 * The embedded MQTT broker (ARCHITECTURE.md §2) as the rest of the platform sees it: on its own thread
 * by default (BROKER_THREAD), on the main thread otherwise. Device messages it acknowledges come
 * out of its write-ahead inbox through {@link receiveIngested}; the consumer reports what it
 * stored with {@link completeIngested} (flow control), and what it may forget, once stored and
 * checkpointed, with {@link forgetIngested}.
 */
@Injectable()
export class BrokerService implements OnModuleInit, OnApplicationShutdown {
  private runtime?: BrokerRuntime;
  private sink?: IngestSink;
  /** Committed while no consumer is attached: replayed leftovers, messages during start or stop. */
  private waiting: InboxMessage[][] = [];

  constructor(
    private readonly config: BrokerConfig,
    private readonly proxyProtocol: ProxyProtocolConfig,
    private readonly platform: PlatformCredential,
    private readonly credentials: DeviceCredentialStore,
    private readonly clock: Clock,
    private readonly metrics: Metrics,
    private readonly sqlite: SqliteDatabase,
    private readonly roles: ProcessRoles,
    /** A cluster's edge only: the shared log its device messages go to instead of the inbox. */
    @Optional() private readonly logSink?: DeviceMessageSink,
  ) {}

  async onModuleInit(): Promise<void> {
    // A processor or api node of a cluster has no broker (CONVOI_ROLES): platform publishes
    // (alert events) then return false, as with an external broker.
    if (!this.config.BROKER_EMBEDDED || !this.roles.has('edge')) return;
    const deps = {
      settings: brokerSettingsFrom(this.config, this.proxyProtocol, this.platform),
      credentials: this.credentials,
      metrics: this.metrics,
      clock: this.clock,
      committed: (messages: InboxMessage[]) => this.committed(messages),
    };
    // A cluster's edge: the shared log instead of the inbox (BROKER_THREAD does not apply).
    if (this.logSink !== undefined) {
      this.runtime = await LocalBrokerRuntime.startOnLog(deps, this.logSink.ingest);
      return;
    }
    const moved = moveLegacyInbox(this.sqlite.connection, this.config.DATA_DIR);
    if (moved > 0)
      new Logger(BrokerService.name).warn(`Moved ${moved} unprocessed messages to ${INBOX_DIR}/`);
    this.runtime = this.config.BROKER_THREAD
      ? await BrokerThreadRuntime.start(deps)
      : await LocalBrokerRuntime.start(deps);
  }

  /**
   * Hands every message the inbox committed, in order, to `sink` (the ingestion consumer), first
   * those that came while there was none; `undefined` stops (they wait in memory and the inbox).
   */
  receiveIngested(sink: IngestSink | undefined): void {
    this.sink = sink;
    if (sink === undefined) return;
    const waiting = this.waiting;
    this.waiting = [];
    for (const messages of waiting) sink(messages);
  }

  /** Inbox messages up to `lastId` are stored downstream (told again, counted once). */
  completeIngested(lastId: number): void {
    this.runtime?.complete(lastId);
  }

  /** Inbox messages up to `position` are stored and checkpointed: never replayed, deleted. */
  forgetIngested(position: number): void {
    this.runtime?.forget(position);
  }

  /**
   * Appends to the inbox as the broker's publish hook does (in-process benchmarks). Only with
   * BROKER_THREAD=false: a threaded inbox belongs to the broker thread.
   */
  appendIngested(topic: string, payload: Buffer, onDurable: () => void): void {
    if (!(this.runtime instanceof LocalBrokerRuntime))
      throw new Error('appending to the inbox from the main thread needs BROKER_THREAD=false');
    this.runtime.append(topic, payload, onDurable);
  }

  /** Publishes as the platform itself (alert events); false when there is no embedded broker. */
  publish(message: PlatformPublish): boolean {
    if (this.runtime === undefined || !this.runtime.isListening()) return false;
    this.runtime.publish(message);
    return true;
  }

  /** The port actually bound by the plain listener (differs from BROKER_PORT when that is 0). */
  port(): number {
    return this.runtime?.port() ?? this.config.BROKER_PORT;
  }

  /** The port actually bound by the TLS listener, if any. */
  tlsPort(): number | undefined {
    return this.runtime?.tlsPort();
  }

  /** URL the in-process consumer uses to reach this broker. */
  localUrl(): string {
    return `mqtt://127.0.0.1:${this.port()}`;
  }

  isListening(): boolean {
    return this.runtime?.isListening() === true;
  }

  /** The Aedes instance when the broker runs on the main thread (tests read its retained store). */
  instance(): Aedes | undefined {
    return this.runtime instanceof LocalBrokerRuntime ? this.runtime.aedes : undefined;
  }

  async onApplicationShutdown(): Promise<void> {
    const runtime = this.runtime;
    this.runtime = undefined;
    await runtime?.close();
  }

  private committed(messages: InboxMessage[]): void {
    if (this.sink) this.sink(messages);
    else this.waiting.push(messages);
  }
}
