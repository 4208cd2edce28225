import { Logger } from '@nestjs/common';
import { CustomTransportStrategy, MqttContext, Server } from '@nestjs/microservices';
import { isObservable, lastValueFrom } from 'rxjs';
import { TelemetryWriter } from '#src/telemetry/telemetry.ports.js';
import { IngestInbox, type InboxMessage } from '../inbox/ingest-inbox.js';
import type { ConsumerStatus } from './consumer-status.js';

/** Whether an MQTT topic filter (`+`, `#`) matches a topic. */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length || (f[i] !== '+' && f[i] !== t[i])) return false;
  }
  return f.length === t.length;
}

/**
 * The ingestion service's transport when the broker is embedded: messages come from the
 * write-ahead inbox, in-process, instead of over an MQTT connection to ourselves. The handlers
 * stay `@EventPattern`s with an MqttContext (topic and packet), so the same controller serves
 * both transports. After each batch the telemetry writer is flushed and the inbox told the batch
 * is stored, which is when it forgets the messages.
 */
export class InboxTransport extends Server implements CustomTransportStrategy {
  private readonly log = new Logger(InboxTransport.name);
  private readonly queue: (readonly InboxMessage[])[] = [];
  private draining = false;

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

  close(): void {
    this.inbox.detach();
    this.consumerStatus.set('closed');
  }

  /** Unused: events reach handlers through the inbox, not through `on`. */
  on(): void {}

  unwrap<T = never>(): T {
    return this.inbox as T;
  }

  private enqueue(messages: readonly InboxMessage[]): void {
    this.queue.push(messages);
    if (!this.draining) void this.drainAll();
  }

  private async drainAll(): Promise<void> {
    this.draining = true;
    try {
      for (let batch = this.queue.shift(); batch; batch = this.queue.shift()) {
        // Nest's handler proxies run guards, pipes and interceptors asynchronously: the batch is
        // stored only once every handler has finished, and only then may the inbox forget it.
        await Promise.all(batch.map((message) => this.dispatch(message)));
        await this.writer.flush();
        this.inbox.complete(batch[batch.length - 1].id, batch.length);
      }
    } catch (err) {
      this.log.error(`draining the inbox failed: ${String(err)}`);
    } finally {
      this.draining = false;
    }
  }

  /**
   * Runs the handler of the message's topic. Nest's handler proxies (guards, pipes, interceptors)
   * resolve to a cold Observable: nothing runs until it is subscribed, so it is consumed here.
   */
  private async dispatch(message: InboxMessage): Promise<void> {
    const handler = this.handlerFor(message.topic);
    if (!handler) return;
    const context = new MqttContext([message.topic, { topic: message.topic, payload: message.payload }]);
    try {
      const result: unknown = await handler(null, context);
      if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
    } catch (err) {
      this.log.error(`handling a message on ${message.topic} failed: ${String(err)}`);
    }
  }

  /** The handler of the first pattern matching the topic (convoi registers a handful). */
  private handlerFor(topic: string): ((data: unknown, ctx: MqttContext) => unknown) | undefined {
    for (const [pattern, handler] of this.messageHandlers) {
      if (topicMatches(pattern, topic)) return handler;
    }
    return undefined;
  }
}
