import { Injectable } from '@nestjs/common';
import { BrokerService } from '#src/broker/broker.service.js';
import { Clock } from '#src/common/clock.js';
import { StateCheckpoint } from '#src/storage/state-checkpoint.js';
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
 * The ingestion side of the embedded broker's write-ahead inbox (src/broker/inbox), the input log:
 * messages the broker acknowledged go, in order, to the drain (the in-process transport). It
 * reports each batch {@link applied} to the state in memory, then {@link complete} once the
 * telemetry writer stored it. The inbox forgets a message only once it is both stored and
 * covered by a state checkpoint ({@link StateCheckpoint}): whatever a crash left unstored or
 * uncheckpointed comes first at the next start (the broker keeps what arrives before a drain is
 * attached), and storage, rules, journeys and live state absorb a replay, so it duplicates
 * nothing downstream and loses no rule progress.
 */
@Injectable()
export class IngestInbox {
  /** Batches handed to the drain, oldest first, until they are completed (one entry a batch). */
  private readonly handedOver: { lastId: number; count: number; at: number }[] = [];
  private handedOverMessages = 0;
  /** Highest id the telemetry writer stored, and highest the state checkpoint covers. */
  private stored = 0;
  private checkpointed = 0;
  private forgotten = 0;
  /** Highest id handed to the drain by this process. */
  private handedOverUpTo = 0;
  /** Until the first message this process received: what comes before it is a replay. */
  private replaying = true;
  /**
   * Before the broker started, epoch ms, as the inbox dates a message it receives (`Date.now()`,
   * not the injected clock): a message dated earlier was received by an earlier run.
   */
  private readonly createdAt = Date.now();

  constructor(
    private readonly broker: BrokerService,
    private readonly clock: Clock,
    private readonly checkpoint: StateCheckpoint,
  ) {
    checkpoint.onCheckpointed((position) => {
      this.checkpointed = position;
      this.forget();
    });
  }

  attach(drain: Drain): void {
    this.broker.receiveIngested((delivered) => {
      const messages = this.notHandedOverYet(delivered);
      if (this.replaying) this.findNewMessages(messages);
      if (messages.length === 0) return;
      this.handedOver.push({
        lastId: messages[messages.length - 1].id,
        count: messages.length,
        at: this.clock.now(),
      });
      this.handedOverMessages += messages.length;
      drain(messages);
    });
  }

  /**
   * A broker thread restarted in this process replays what the inbox has not forgotten, and this
   * process handed the older part of it over already (it is in the pipeline, or stored): handing
   * it over again would count every such reading accepted twice. Ids only grow within a process
   * (the inbox numbers on from its watermark). The new journal counts those messages as waiting:
   * what is stored already is reported to it now (its reports to the dead thread were lost), the
   * rest as it is stored. The journal counts by id, so a range reported twice counts off once;
   * counting reports (as it once did) took the replay off twice and showed an empty inbox while
   * the pipeline still held messages.
   */
  private notHandedOverYet(messages: readonly InboxMessage[]): readonly InboxMessage[] {
    const upTo = this.handedOverUpTo;
    if (messages.length > 0) this.handedOverUpTo = Math.max(upTo, messages[messages.length - 1].id);
    if (messages.length === 0 || messages[0].id > upTo) return messages;
    if (this.stored >= messages[0].id) this.broker.completeIngested(this.stored);
    return messages.filter((m) => m.id > upTo);
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

  /** Messages up to `lastId` are applied to the state in memory (rules, journeys, live state). */
  applied(lastId: number): void {
    this.checkpoint.applied(lastId);
  }

  /** Messages up to `lastId` are stored downstream; forgotten once a checkpoint covers them too. */
  complete(lastId: number): void {
    while (this.handedOver.length > 0 && this.handedOver[0].lastId <= lastId)
      this.handedOverMessages -= this.handedOver.shift()!.count;
    this.broker.completeIngested(lastId);
    if (lastId > this.stored) this.stored = lastId;
    this.forget();
  }

  /**
   * Tells the checkpoint where this run's own messages start: the replay (what an earlier run
   * left) comes first, and a message received since this run started was never applied. Its id
   * may be lower than the last run's checkpoint when the inbox was emptied by hand.
   */
  private findNewMessages(messages: readonly InboxMessage[]): void {
    const first = messages.find((m) => m.receivedAt >= this.createdAt);
    if (first === undefined) return;
    this.replaying = false;
    this.checkpoint.newMessagesFrom(first.id);
  }

  private forget(): void {
    const upTo = Math.min(this.stored, this.checkpointed);
    if (upTo <= this.forgotten) return;
    this.forgotten = upTo;
    this.broker.forgetIngested(upTo);
  }
}
