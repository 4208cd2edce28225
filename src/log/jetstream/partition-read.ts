import type { Logger } from '@nestjs/common';
import { DeliverPolicy, type ConsumerMessages, type JsMsg, type JetStreamClient } from '@nats-io/jetstream';
import type { LogPosition } from '#src/contracts/log-position.js';
import type { LogEntryHandler } from '../input-log.port.js';
import { decodeLogEntries } from '../log-entry.codec.js';
import { readingsSubject } from './readings-stream.js';

/** Entries a partition's consumer asks the server for at once (its read-ahead). */
const READ_AHEAD = 256;

/** One partition read through an ordered consumer of its own (see `JetStreamReader`). */
export class PartitionRead {
  /** The stream sequence of the last entry handed to the handler (the start position before). */
  private handed: LogPosition;
  private messages?: ConsumerMessages;

  private constructor(
    readonly partition: number,
    after: LogPosition,
    private readonly onEntry: LogEntryHandler,
    private readonly logger: Logger,
  ) {
    this.handed = after;
  }

  static async start(
    js: JetStreamClient,
    stream: string,
    partition: number,
    after: LogPosition,
    onEntry: LogEntryHandler,
    logger: Logger,
  ): Promise<PartitionRead> {
    const consumer = await js.consumers.get(stream, {
      filter_subjects: readingsSubject(partition),
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: after + 1,
    });
    const read = new PartitionRead(partition, after, onEntry, logger);
    // A callback rather than the messages' async iterator: no promise and no queue per entry.
    // The client stops the read when a callback throws, so `deliver` never does.
    read.messages = await consumer.consume({ max_messages: READ_AHEAD, callback: (m) => read.deliver(m) });
    return read;
  }

  /** The position of the last entry handed to the handler: every one before it was too. */
  get handedTo(): LogPosition {
    return this.handed;
  }

  /** Once it resolves, the handler is not called again. */
  async stop(): Promise<void> {
    await this.messages?.close();
  }

  /** Hands over the message's entries in their order, all before it returns. */
  private deliver(m: JsMsg): void {
    const position = m.seq;
    this.handed = position;
    // Decoded with their partition and position: handed over as they are, no copy each.
    const decoded = decodeLogEntries(m.data, { partition: this.partition, position });
    if (!decoded.ok) {
      this.logger.warn(
        { partition: this.partition, position, reason: decoded.reason },
        'Log entry skipped: not an entry',
      );
      return;
    }
    for (const entry of decoded.entries) {
      try {
        this.onEntry(entry);
      } catch (err) {
        this.logger.error({ partition: this.partition, position, err }, 'Log entry handler failed');
      }
    }
  }
}
