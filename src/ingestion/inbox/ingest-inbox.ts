import { Injectable } from '@nestjs/common';
import { BrokerService } from '#src/broker/broker.service.js';
import type { InboxMessage } from '#src/broker/inbox/ingest-journal.js';

export type { InboxMessage } from '#src/broker/inbox/ingest-journal.js';

type Drain = (messages: readonly InboxMessage[]) => void;

/**
 * The ingestion side of the embedded broker's write-ahead inbox (src/broker/inbox): messages the
 * broker acknowledged go, in order, to the drain (the in-process transport), which reports them
 * back with {@link complete} once what they carried is stored; only then does the inbox forget
 * them. Whatever a crash left in the inbox comes first (the broker keeps what arrives before a
 * drain is attached): storage and rules are idempotent, so a replay duplicates nothing downstream.
 */
@Injectable()
export class IngestInbox {
  constructor(private readonly broker: BrokerService) {}

  attach(drain: Drain): void {
    this.broker.receiveIngested(drain);
  }

  /** Stops handing messages on; they stay in the inbox for the next run. */
  detach(): void {
    this.broker.receiveIngested(undefined);
  }

  /** Appends as the broker would, without a socket (in-process benchmarks; BROKER_THREAD=false). */
  append(topic: string, payload: Buffer, onDurable: () => void): void {
    this.broker.appendIngested(topic, payload, onDurable);
  }

  /** Messages up to `lastId` are stored downstream: the inbox may forget them. */
  complete(lastId: number, count: number): void {
    this.broker.completeIngested(lastId, count);
  }
}
