import { Logger } from '@nestjs/common';
import type { Aedes } from 'aedes';
import { EmbeddedBroker, type IngestInterceptor } from '../embedded-broker.js';
import { createIngestJournal } from '../inbox/ingest-journal.factory.js';
import type { IngestJournal } from '../inbox/ingest-journal.js';
import type { BrokerRuntime, BrokerRuntimeDeps, PlatformPublish } from './broker-runtime.js';

/**
 * The broker and its inbox on the main thread (BROKER_THREAD=false): one core for everything,
 * for machines with one core, and for tests that look inside Aedes. A cluster's edge runs here
 * too ({@link startOnLog}), without an inbox: its messages go to the shared log, whose connection
 * and the device directory it attributes with are on the main thread.
 */
export class LocalBrokerRuntime implements BrokerRuntime {
  private readonly logger = new Logger('Broker');

  private constructor(
    private readonly broker: EmbeddedBroker,
    /** Absent on a cluster's edge: the shared log is the durable record, nothing to complete. */
    private readonly journal: IngestJournal | undefined,
  ) {}

  static async start(deps: BrokerRuntimeDeps): Promise<LocalBrokerRuntime> {
    const journal = createIngestJournal(deps.settings, deps.metrics, (messages) => deps.committed(messages));
    try {
      const broker = await EmbeddedBroker.start({
        ...deps,
        ingest: (topic, payload, acknowledge) => journal.append(topic, payload, acknowledge),
      });
      return new LocalBrokerRuntime(broker, journal);
    } catch (err) {
      journal.close();
      throw err;
    }
  }

  /** The broker of a cluster's edge: each device message goes to `ingest` (the log) before its PUBACK. */
  static async startOnLog(
    deps: Omit<BrokerRuntimeDeps, 'committed'>,
    ingest: IngestInterceptor,
  ): Promise<LocalBrokerRuntime> {
    return new LocalBrokerRuntime(await EmbeddedBroker.start({ ...deps, ingest }), undefined);
  }

  /** The Aedes instance (tests read its retained store). */
  get aedes(): Aedes {
    return this.broker.aedes;
  }

  /** Appends to the inbox as the broker would (in-process benchmarks, no sockets). */
  append(topic: string, payload: Buffer, onDurable: () => void): void {
    if (this.journal === undefined) throw new Error('a cluster edge has no inbox to append to');
    this.journal.append(topic, payload, onDurable);
  }

  port(): number | undefined {
    return this.broker.port();
  }

  tlsPort(): number | undefined {
    return this.broker.tlsPort();
  }

  isListening(): boolean {
    return this.broker.isListening();
  }

  publish(message: PlatformPublish): void {
    this.broker
      .publish(message)
      .catch((err: unknown) => this.logger.error({ topic: message.topic, err }, 'Publishing failed'));
  }

  complete(lastId: number): void {
    this.journal?.complete(lastId);
  }

  forget(position: number): void {
    this.journal?.forget(position);
  }

  async close(): Promise<void> {
    await this.broker.close();
    this.journal?.close();
  }
}
