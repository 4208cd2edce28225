import { Logger } from '@nestjs/common';
import type { Aedes } from 'aedes';
import { EmbeddedBroker } from '../embedded-broker.js';
import { createIngestJournal } from '../inbox/ingest-journal.factory.js';
import type { IngestJournal } from '../inbox/ingest-journal.js';
import type { BrokerRuntime, BrokerRuntimeDeps, PlatformPublish } from './broker-runtime.js';

/**
 * The broker and its inbox on the main thread (BROKER_THREAD=false): one core for everything,
 * for machines with one core, and for tests that look inside Aedes.
 */
export class LocalBrokerRuntime implements BrokerRuntime {
  private readonly logger = new Logger('Broker');

  private constructor(
    private readonly broker: EmbeddedBroker,
    private readonly journal: IngestJournal,
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

  /** The Aedes instance (tests read its retained store). */
  get aedes(): Aedes {
    return this.broker.aedes;
  }

  /** Appends to the inbox as the broker would (in-process benchmarks, no sockets). */
  append(topic: string, payload: Buffer, onDurable: () => void): void {
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

  complete(lastId: number, count: number): void {
    this.journal.complete(lastId, count);
  }

  forget(position: number): void {
    this.journal.forget(position);
  }

  async close(): Promise<void> {
    await this.broker.close();
    this.journal.close();
  }
}
