import { Injectable, OnModuleInit } from '@nestjs/common';
import { BrokerService } from '#src/broker/broker.service.js';
import type { InboxMessage } from '#src/broker/inbox/ingest-journal.js';

export type { InboxMessage } from '#src/broker/inbox/ingest-journal.js';

type Drain = (messages: readonly InboxMessage[]) => void;

/**
 * The ingestion side of the embedded broker's write-ahead inbox (src/broker/inbox): messages the
 * broker acknowledged arrive here in order, go to the drain (the in-process transport) and are
 * reported back with {@link complete} once what they carried is stored; only then does the inbox
 * forget them. Whatever a crash left in the inbox arrives first at start: storage and rules are
 * idempotent, so a replay duplicates nothing downstream.
 */
@Injectable()
export class IngestInbox implements OnModuleInit {
  private drain?: Drain;
  private backlog: InboxMessage[] = [];

  constructor(private readonly broker: BrokerService) {}

  onModuleInit(): void {
    this.broker.receiveIngested((messages) => this.deliver(messages));
  }

  /** Registers the consumer and hands it what arrived before it did. */
  attach(drain: Drain): void {
    this.drain = drain;
    const queued = this.backlog;
    this.backlog = [];
    if (queued.length > 0) drain(queued);
  }

  detach(): void {
    this.drain = undefined;
  }

  /** Appends as the broker would, without a socket (in-process benchmarks; BROKER_THREAD=false). */
  append(topic: string, payload: Buffer, onDurable: () => void): void {
    this.broker.appendIngested(topic, payload, onDurable);
  }

  /** Messages up to `lastId` are stored downstream: the inbox may forget them. */
  complete(lastId: number, count: number): void {
    this.broker.completeIngested(lastId, count);
  }

  private deliver(messages: InboxMessage[]): void {
    if (this.drain) this.drain(messages);
    else for (const m of messages) this.backlog.push(m);
  }
}
