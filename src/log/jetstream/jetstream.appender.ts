import { nuid, type MsgHdrs, type NatsConnection } from '@nats-io/transport-node';
import type { LogPosition } from '#src/contracts/log-position.js';
import { partitionOf } from '#src/contracts/partition.js';
import { InputLogAppender } from '../input-log.port.js';
import { encodeLogEntry } from '../log-entry.codec.js';
import { partitionKeyOf, type LogEntry } from '../log-entry.js';
import { AppendHeaders } from './append-headers.js';
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

/** An append with its slot, waiting for the turn's publish. */
interface Outgoing {
  readonly subject: string;
  readonly bytes: Uint8Array;
  readonly headers: MsgHdrs;
  readonly reply: string;
}

/**
 * Appends entries to the readings stream, on the subject of the container's partition. Up to
 * `window` appends are in flight on the one connection (the server stores them in the order they
 * were sent, so one partition's entries keep the order of the `append` calls); further appends
 * wait, first come first served, for a slot. Each append carries an id (`Nats-Msg-Id`): the same
 * id again within the stream's duplicate window is not stored twice, and `Nats-Expected-Stream`
 * makes the server refuse it if another stream took the subject.
 *
 * The appends of one turn of the event loop are published together at its end (`setImmediate`):
 * the client writes to the socket once per microtask checkpoint, which on an edge is once per
 * device connection read, so each append was a write of its own for the client and a read for
 * nats-server. Together they are one write.
 */
export class JetStreamAppender extends InputLogAppender {
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly acks: PubAckInbox;
  private readonly headers: AppendHeaders;
  private outgoing: Outgoing[] = [];
  private publishing?: NodeJS.Immediate;

  constructor(
    private readonly connection: NatsConnection,
    private readonly options: JetStreamAppenderOptions,
  ) {
    super();
    this.headers = new AppendHeaders(options.stream);
    this.acks = new PubAckInbox(connection, options.timeoutMs, () => this.releaseSlot());
  }

  append(entry: LogEntry, id: string = nuid.next()): Promise<LogPosition> {
    let subject: string, bytes: Uint8Array, headers: MsgHdrs;
    try {
      subject = readingsSubject(partitionOf(partitionKeyOf(entry), this.options.partitions));
      bytes = encodeLogEntry(entry);
      headers = this.headers.of(id);
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    if (this.inFlight < this.options.window) {
      this.inFlight++;
      return this.send(subject, bytes, headers);
    }
    return new Promise<void>((slot) => this.waiting.push(slot)).then(() =>
      this.send(subject, bytes, headers),
    );
  }

  /** Fails the appends still awaiting an acknowledgement; before the connection closes. */
  close(): void {
    if (this.publishing) clearImmediate(this.publishing);
    this.publishing = undefined;
    this.outgoing = [];
    this.acks.close();
  }

  /** Appends awaiting the acknowledgement now, and appends waiting for a slot. */
  get pending(): { inFlight: number; waiting: number } {
    return { inFlight: this.inFlight, waiting: this.waiting.length };
  }

  /** Queues an append that holds a slot for this turn's publish; its acknowledgement's promise. */
  private send(subject: string, bytes: Uint8Array, headers: MsgHdrs): Promise<LogPosition> {
    const { reply, acked } = this.acks.expect();
    this.outgoing.push({ subject, bytes, headers, reply });
    this.publishing ??= setImmediate(() => this.publishAll());
    return acked;
  }

  private publishAll(): void {
    const outgoing = this.outgoing;
    this.outgoing = [];
    this.publishing = undefined;
    for (const { subject, bytes, headers, reply } of outgoing) {
      try {
        this.connection.publish(subject, bytes, { reply, headers });
      } catch (err) {
        this.acks.abandon(reply, err);
      }
    }
  }

  /**
   * An append was settled: its slot passes straight to the next waiter, so `inFlight` never drops
   * below the window while appends wait.
   */
  private releaseSlot(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.inFlight--;
  }
}
