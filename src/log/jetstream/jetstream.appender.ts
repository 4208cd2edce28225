import type { MsgHdrs, NatsConnection } from '@nats-io/transport-node';
import type { LogPosition } from '#src/contracts/log-position.js';
import { partitionOf } from '#src/contracts/partition.js';
import { InputLogAppender } from '../input-log.port.js';
import { encodeBatchRecord, encodeLogBatch } from '../log-entry.codec.js';
import { partitionKeyOf, type LogEntry } from '../log-entry.js';
import { appendHeaders } from './append-headers.js';
import { PubAckInbox } from './pub-ack.inbox.js';
import { readingsSubject } from './readings-stream.js';

export interface JetStreamAppenderOptions {
  readonly stream: string;
  /** The partition count of the data (`PARTITIONS`): picks an entry's subject from its container. */
  readonly partitions: number;
  /** Messages awaiting the stream's acknowledgement at once (`NATS_APPEND_WINDOW`). */
  readonly window: number;
  /** How long one message waits for the acknowledgement (`NATS_APPEND_TIMEOUT_MS`). */
  readonly timeoutMs: number;
}

/**
 * A message's size past which the turn's next entry of its partition starts another message:
 * far below nats-server's largest message (`max_payload`, 1 MB by default), which would refuse
 * the whole. An entry larger than this alone is a message of its own.
 */
const MESSAGE_BYTES = 64 * 1024;

/** The entries one partition was given in one turn: one message, one acknowledgement for all. */
interface TurnBatch {
  readonly subject: string;
  /** Each entry as the message carries it, in the order of the `append` calls. */
  readonly records: Buffer[];
  /** Their total length. */
  bytes: number;
  readonly stored: Promise<LogPosition>;
  readonly resolve: (position: LogPosition) => void;
  readonly reject: (err: Error) => void;
}

/**
 * Appends entries to the readings stream, on the subject of the container's partition. The
 * entries one partition is given in one turn of the event loop are one message (codec version
 * 2; a next one past {@link MESSAGE_BYTES}), published at the turn's end (`setImmediate`), all
 * in one socket write: nats-server's cost is per message (store, PubAck, delivery), and so is
 * most of either client's. Every `append` of the message resolves with its position once the
 * stream acknowledges it, or rejects with it.
 *
 * Up to `window` messages are in flight on the one connection (the server stores them in the
 * order they were sent, so one partition's entries keep the order of the `append` calls); further
 * messages wait, first come first served, for a slot. `Nats-Expected-Stream` makes the server
 * refuse a message if another stream took the subject.
 */
export class JetStreamAppender extends InputLogAppender {
  private inFlight = 0;
  private readonly waiting: TurnBatch[] = [];
  private readonly acks: PubAckInbox;
  private readonly headers: MsgHdrs;
  /** This turn's messages, in the order they were started, until they are published at its end. */
  private turn: TurnBatch[] = [];
  /** Per subject, this turn's message that takes its next entries. */
  private open = new Map<string, TurnBatch>();
  private publishing?: NodeJS.Immediate;
  private connected = true;
  /** Each partition's subject, made once rather than per entry. */
  private readonly subjects: readonly string[];

  constructor(
    private readonly connection: NatsConnection,
    private readonly options: JetStreamAppenderOptions,
  ) {
    super();
    this.headers = appendHeaders(options.stream);
    this.subjects = Array.from({ length: options.partitions }, (_, p) => readingsSubject(p));
    this.acks = new PubAckInbox(connection, options.timeoutMs, () => this.releaseSlot());
  }

  append(entry: LogEntry): Promise<LogPosition> {
    let subject: string, record: Buffer;
    try {
      subject = this.subjects[partitionOf(partitionKeyOf(entry), this.options.partitions)];
      record = encodeBatchRecord(entry);
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    let batch = this.open.get(subject);
    if (batch === undefined || batch.bytes + record.length > MESSAGE_BYTES) {
      batch = newBatch(subject);
      this.turn.push(batch);
      this.open.set(subject, batch);
    }
    batch.records.push(record);
    batch.bytes += record.length;
    this.publishing ??= setImmediate(() => this.publishTurn());
    return batch.stored;
  }

  /**
   * Whether the connection is up (its status events). While it is down, a message fails at once
   * instead of going into the client's reconnect buffer: sent when the server is back, long after
   * its append timed out and the devices were told to resend, it would put a second copy of each
   * of its readings in the log, further back than the processor's dedupe window reaches.
   */
  setConnected(connected: boolean): void {
    this.connected = connected;
  }

  /** Fails the appends not acknowledged yet; before the connection closes. */
  close(): void {
    if (this.publishing) clearImmediate(this.publishing);
    this.publishing = undefined;
    const closed = new Error('log connection closed before the acknowledgement');
    for (const batch of [...this.turn, ...this.waiting.splice(0)]) batch.reject(closed);
    this.turn = [];
    this.open.clear();
    this.acks.close();
  }

  /** Messages awaiting the acknowledgement now, and messages waiting for a slot. */
  get pending(): { inFlight: number; waiting: number } {
    return { inFlight: this.inFlight, waiting: this.waiting.length };
  }

  private publishTurn(): void {
    this.publishing = undefined;
    const batches = this.turn;
    this.turn = [];
    this.open.clear();
    for (const batch of batches) {
      if (this.waiting.length === 0 && this.inFlight < this.options.window) {
        this.inFlight++;
        this.publish(batch);
      } else this.waiting.push(batch);
    }
  }

  /** Publishes a message that holds a slot. */
  private publish(batch: TurnBatch): void {
    const { reply, acked } = this.acks.expect();
    acked.then(batch.resolve, batch.reject);
    try {
      if (!this.connected) throw new Error('log disconnected: the message is not sent');
      const bytes = encodeLogBatch(batch.records, batch.bytes);
      this.connection.publish(batch.subject, bytes, { reply, headers: this.headers });
    } catch (err) {
      this.acks.abandon(reply, err);
    }
  }

  /**
   * A message was settled: its slot passes straight to the next waiting message, so `inFlight`
   * never drops below the window while messages wait.
   */
  private releaseSlot(): void {
    const next = this.waiting.shift();
    if (next) this.publish(next);
    else this.inFlight--;
  }
}

function newBatch(subject: string): TurnBatch {
  let resolve!: (position: LogPosition) => void;
  let reject!: (err: Error) => void;
  const stored = new Promise<LogPosition>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { subject, records: [], bytes: 0, stored, resolve, reject };
}
