import { Injectable, Logger } from '@nestjs/common';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { TelemetryWriter } from '#src/telemetry/telemetry.ports.js';
import { IngestInbox, type InboxMessage } from '../inbox/ingest-inbox.js';
import { IngestionConsumer } from '../ingestion.consumer.js';
import { ConsumerStatus } from './consumer-status.js';
import { SliceBudget } from './slice-budget.js';

/** Most messages merged into one batch from a backlog of queued ones. */
const MERGE_MAX_MESSAGES = 4096;

/**
 * The ingestion consumer's source when the broker is embedded: messages come from the
 * write-ahead inbox, in-process, and go straight to the consumer, one call per message (no MQTT
 * connection to ourselves, no Nest microservice, handler proxy or guards on the way).
 *
 * Each message goes with its inbox id, its position in the input log: the processor compares it
 * with the checkpointed position of each reading's partition to tell a replay of what the state
 * already holds. A batch from the inbox (up to 2,000 messages) is handled in slices of a few milliseconds with a
 * turn of the event loop between them, so HTTP requests and timers wait one slice, not a batch;
 * messages keep their order. After the last slice of a batch the inbox hears it is applied to the
 * state in memory (the position the next state checkpoint covers), the telemetry writer is
 * flushed, and once it has stored the batch the inbox is told; it forgets a batch that is both
 * stored and checkpointed.
 */
@Injectable()
export class InboxDrain {
  private readonly log = new Logger(InboxDrain.name);
  private readonly queue: (readonly InboxMessage[])[] = [];
  private readonly budget = new SliceBudget();
  private draining = false;
  /** The running drain loop, for close() to wait on. */
  private drained: Promise<void> = Promise.resolve();
  private completions: Promise<void> = Promise.resolve();

  constructor(
    private readonly inbox: IngestInbox,
    private readonly writer: TelemetryWriter,
    private readonly consumerStatus: ConsumerStatus,
    private readonly consumer: IngestionConsumer,
  ) {}

  /** Starts intake: the inbox hands over what it holds (a replay), then each group commit. */
  start(): void {
    this.inbox.attach((messages) => this.enqueue(messages));
    this.consumerStatus.set('connected');
  }

  /**
   * Stops intake, then finishes the batches already handed over and waits until the writer
   * stored them and the inbox forgot them: the app's shutdown hooks, which stop the writers,
   * run after this (bootstrap's stop), so no message reaches a stopped writer.
   */
  async close(): Promise<void> {
    this.inbox.detach();
    this.consumerStatus.set('closed');
    await this.drained;
    await this.completions;
  }

  private enqueue(messages: readonly InboxMessage[]): void {
    this.queue.push(messages);
    if (!this.draining) this.drained = this.drainAll();
  }

  private async drainAll(): Promise<void> {
    this.draining = true;
    // The first slice after the inbox's callback returns (a microtask), the others each after a
    // turn of the event loop.
    let first = true;
    await Promise.resolve();
    try {
      for (let batch = this.nextBatch(); batch; batch = this.nextBatch()) {
        for (let from = 0; from < batch.length;) {
          if (!first) await yieldToEventLoop();
          first = false;
          const to = Math.min(batch.length, from + this.budget.messages);
          const started = performance.now();
          for (let i = from; i < to; i++)
            this.consumer.consume(batch[i].topic, batch[i].payload, batch[i].id);
          this.budget.record(to - from, performance.now() - started);
          from = to;
        }
        this.inbox.applied(batch[batch.length - 1].id);
        this.completeWhenStored(batch);
      }
    } catch (err) {
      this.log.error({ err }, 'Draining the inbox failed');
    } finally {
      this.draining = false;
    }
  }

  /**
   * Tells the inbox the batch is handled once the telemetry writer has stored it (it forgets it
   * once a state checkpoint covers it too). The next batch is handled meanwhile: the store works
   * on its own thread, and waiting for it left the pipeline idle. Batches are completed in order
   * (a completion covers everything up to a batch's last message).
   */
  private completeWhenStored(batch: readonly InboxMessage[]): void {
    const lastId = batch[batch.length - 1].id;
    const stored = this.writer.flush();
    this.completions = this.completions
      .then(() => stored)
      .then(
        () => this.inbox.complete(lastId),
        (err: unknown) => this.log.error({ lastId, err }, 'Storing inbox messages failed'),
      );
  }

  /**
   * The next messages to handle: the oldest queued batch, merged with the ones behind it (up to
   * {@link MERGE_MAX_MESSAGES}) when the pipeline is behind, so that a backlog is stored in a few
   * large transactions and acknowledged to the inbox in one step, not in one of each per 2 ms
   * group commit of the broker.
   */
  private nextBatch(): readonly InboxMessage[] | undefined {
    const first = this.queue.shift();
    if (first === undefined || this.queue.length === 0) return first;
    let size = first.length;
    let take = 0;
    while (take < this.queue.length && size + this.queue[take].length <= MERGE_MAX_MESSAGES) {
      size += this.queue[take].length;
      take++;
    }
    return take === 0 ? first : first.concat(...this.queue.splice(0, take));
  }
}
