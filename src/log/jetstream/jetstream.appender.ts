import { headers, nuid, type NatsConnection } from '@nats-io/transport-node';
import type { LogPosition } from '#src/contracts/log-position.js';
import { partitionOf } from '#src/contracts/partition.js';
import { InputLogAppender } from '../input-log.port.js';
import { encodeLogEntry } from '../log-entry.codec.js';
import { partitionKeyOf, type LogEntry } from '../log-entry.js';
import { PubAckInbox } from './pub-ack.inbox.js';
import { readingsSubject } from './readings-stream.js';

export interface JetStreamAppenderOptions {
  readonly stream: string;
  /** The partition count of the data (`PARTITIONS`): picks an entry's subject from its container. */
  readonly partitions: number;
  /** Appends awaiting the stream's acknowledgement at once (`NATS_APPEND_WINDOW`). */
  readonly window: number;
  /** How long one append waits for the acknowledgement (`NATS_APPEND_TIMEOUT_MS`). */
  readonly timeoutMs: number;
}

/**
 * Appends entries to the readings stream, on the subject of the container's partition. Up to
 * `window` appends are in flight on the one connection (the server stores them in the order they
 * were sent, so one partition's entries keep the order of the `append` calls); further appends
 * wait, first come first served, for a slot. Each append carries an id (`Nats-Msg-Id`): the same
 * id again within the stream's duplicate window is not stored twice, and `Nats-Expected-Stream`
 * makes the server refuse it if another stream took the subject.
 */
export class JetStreamAppender extends InputLogAppender {
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly acks: PubAckInbox;

  constructor(
    private readonly connection: NatsConnection,
    private readonly options: JetStreamAppenderOptions,
  ) {
    super();
    this.acks = new PubAckInbox(connection, options.timeoutMs);
  }

  async append(entry: LogEntry, id: string = nuid.next()): Promise<LogPosition> {
    const subject = readingsSubject(partitionOf(partitionKeyOf(entry), this.options.partitions));
    const bytes = encodeLogEntry(entry);
    if (this.inFlight >= this.options.window) await new Promise<void>((slot) => this.waiting.push(slot));
    else this.inFlight++;
    try {
      const h = headers();
      h.set('Nats-Msg-Id', id);
      h.set('Nats-Expected-Stream', this.options.stream);
      const { reply, acked } = this.acks.expect();
      try {
        this.connection.publish(subject, bytes, { reply, headers: h });
      } catch (err) {
        this.acks.abandon(reply, err);
      }
      return await acked;
    } finally {
      // The slot passes straight to the next waiter, so `inFlight` never drops below the window
      // while appends wait.
      const next = this.waiting.shift();
      if (next) next();
      else this.inFlight--;
    }
  }

  /** Fails the appends still awaiting an acknowledgement; before the connection closes. */
  close(): void {
    this.acks.close();
  }

  /** Appends awaiting the acknowledgement now, and appends waiting for a slot. */
  get pending(): { inFlight: number; waiting: number } {
    return { inFlight: this.inFlight, waiting: this.waiting.length };
  }
}
