import { Logger } from '@nestjs/common';
import { CustomTransportStrategy, MessageHandler, MqttContext, Server } from '@nestjs/microservices';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { isObservable, lastValueFrom } from 'rxjs';
import { TelemetryWriter } from '#src/telemetry/telemetry.ports.js';
import { IngestInbox, type InboxMessage } from '../inbox/ingest-inbox.js';
import type { ConsumerStatus } from './consumer-status.js';
import { ACCEPTS_MESSAGE_BATCH, MqttMessageBatch } from './mqtt-message-batch.js';
import { SliceBudget } from './slice-budget.js';
import { TopicFilterMatcher } from '#src/contracts/topic-filter.matcher.js';

interface Route {
  matcher: TopicFilterMatcher;
  handler: MessageHandler;
  batches: boolean;
}

/** Most messages merged into one batch from a backlog of queued ones. */
const MERGE_MAX_MESSAGES = 4096;

/**
 * The ingestion service's transport when the broker is embedded: messages come from the
 * write-ahead inbox, in-process, instead of over an MQTT connection to ourselves. The handlers
 * stay `@EventPattern`s with an MqttContext, so the same controller serves both transports.
 *
 * A batch from the inbox (up to 2,000 messages) is handled in slices of a few milliseconds with a
 * turn of the event loop between them, so HTTP requests and timers wait one slice, not a batch.
 * Within a slice, consecutive messages of one handler that accepts batches reach it in one call
 * ({@link MqttMessageBatch}); messages keep their order. After the last slice of a batch the
 * inbox hears it is applied to the state in memory (the position the next state checkpoint
 * covers), the telemetry writer is flushed, and once it has stored the batch the inbox is told;
 * it forgets a batch that is both stored and checkpointed.
 */
export class InboxTransport extends Server implements CustomTransportStrategy {
  private readonly log = new Logger(InboxTransport.name);
  private readonly queue: (readonly InboxMessage[])[] = [];
  private readonly budget = new SliceBudget();
  private routes: Route[] = [];
  private routedHandlers = -1;
  private draining = false;
  /** The running drain loop, for close() to wait on. */
  private drained: Promise<void> = Promise.resolve();
  private completions: Promise<void> = Promise.resolve();

  constructor(
    private readonly inbox: IngestInbox,
    private readonly writer: TelemetryWriter,
    private readonly consumerStatus: ConsumerStatus,
  ) {
    super();
  }

  listen(callback: () => void): void {
    this.inbox.attach((messages) => this.enqueue(messages));
    this.consumerStatus.set('connected');
    callback();
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

  /** Unused: events reach handlers through the inbox, not through `on`. */
  on(): void {}

  unwrap<T = never>(): T {
    return this.inbox as T;
  }

  private enqueue(messages: readonly InboxMessage[]): void {
    this.queue.push(messages);
    if (!this.draining) this.drained = this.drainAll();
  }

  private async drainAll(): Promise<void> {
    this.draining = true;
    let first = true;
    try {
      for (let batch = this.nextBatch(); batch; batch = this.nextBatch()) {
        for (let from = 0; from < batch.length;) {
          if (!first) await yieldToEventLoop();
          first = false;
          const to = Math.min(batch.length, from + this.budget.messages);
          const started = performance.now();
          await this.dispatchSlice(batch, from, to);
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
        () => this.inbox.complete(lastId, batch.length),
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

  /** Hands `batch[from..to)` to the handlers, one call per run of messages of one batch handler. */
  private async dispatchSlice(batch: readonly InboxMessage[], from: number, to: number): Promise<void> {
    let start = from;
    let route = this.routeOf(batch[from].topic);
    for (let i = from + 1; i <= to; i++) {
      const next = i < to ? this.routeOf(batch[i].topic) : undefined;
      if (i < to && next === route && route?.batches) continue;
      if (route?.batches) await this.invoke(route.handler, new MqttMessageBatch(batch.slice(start, i)));
      else if (route) await this.invoke(route.handler, contextOf(batch[start]));
      start = i;
      route = next;
    }
  }

  /**
   * Runs one handler call. Nest's handler proxies (guards, pipes, interceptors) may resolve to a
   * cold Observable: nothing runs until it is subscribed, so it is consumed here.
   */
  private async invoke(handler: MessageHandler, context: MqttContext): Promise<void> {
    try {
      const result: unknown = await handler(null, context);
      if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
    } catch (err) {
      this.log.error({ topic: context.getTopic(), err }, 'Handling messages failed');
    }
  }

  /** The route of the first pattern matching the topic (convoi registers a handful). */
  private routeOf(topic: string): Route | undefined {
    if (this.routedHandlers !== this.messageHandlers.size) this.compileRoutes();
    for (const route of this.routes) if (route.matcher.matches(topic)) return route;
    return undefined;
  }

  private compileRoutes(): void {
    this.routes = [...this.messageHandlers].map(([pattern, handler]) => ({
      matcher: new TopicFilterMatcher(pattern),
      handler,
      batches: (handler.extras as Record<string, unknown> | undefined)?.[ACCEPTS_MESSAGE_BATCH] === true,
    }));
    this.routedHandlers = this.messageHandlers.size;
  }
}

function contextOf(message: InboxMessage): MqttContext {
  return new MqttContext([message.topic, { topic: message.topic, payload: message.payload }]);
}
