import { Injectable } from '@nestjs/common';
import { BrokerService } from '#src/broker/broker.service.js';
import { Clock } from '#src/common/clock.js';
import type { InboxMessage } from '#src/broker/inbox/ingest-journal.js';

export type { InboxMessage } from '#src/broker/inbox/ingest-journal.js';

type Drain = (messages: readonly InboxMessage[]) => void;

/** Messages handed to the pipeline and not yet stored, for the readiness probe. */
export interface PipelineBacklog {
  messages: number;
  /** When the oldest of them was handed over, epoch ms; absent when there are none. */
  oldestSince?: number;
}

/**
 * The ingestion side of the embedded broker's write-ahead inbox (src/broker/inbox): messages the
 * broker acknowledged go, in order, to the drain (the in-process transport), which reports them
 * back with {@link complete} once what they carried is stored; only then does the inbox forget
 * them. Whatever a crash left in the inbox comes first (the broker keeps what arrives before a
 * drain is attached): storage and rules are idempotent, so a replay duplicates nothing downstream.
 */
@Injectable()
export class IngestInbox {
  /** Batches handed to the drain, oldest first, until they are completed (one entry a batch). */
  private readonly handedOver: { lastId: number; count: number; at: number }[] = [];
  private handedOverMessages = 0;

  constructor(
    private readonly broker: BrokerService,
    private readonly clock: Clock,
  ) {}

  attach(drain: Drain): void {
    this.broker.receiveIngested((messages) => {
      if (messages.length > 0) {
        this.handedOver.push({
          lastId: messages[messages.length - 1].id,
          count: messages.length,
          at: this.clock.now(),
        });
        this.handedOverMessages += messages.length;
      }
      drain(messages);
    });
  }

  /** What the pipeline holds: a backlog that stops moving is a stuck pipeline. */
  backlog(): PipelineBacklog {
    const oldest = this.handedOver[0];
    return oldest === undefined
      ? { messages: 0 }
      : { messages: this.handedOverMessages, oldestSince: oldest.at };
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
    while (this.handedOver.length > 0 && this.handedOver[0].lastId <= lastId)
      this.handedOverMessages -= this.handedOver.shift()!.count;
    this.broker.completeIngested(lastId, count);
  }
}
