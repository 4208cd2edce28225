import { Logger } from '@nestjs/common';
import {
  DeliverPolicy,
  type ConsumerMessages,
  type JsMsg,
  type JetStreamClient,
  type JetStreamManager,
} from '@nats-io/jetstream';
import type { LogPosition } from '#src/contracts/log-position.js';
import { InputLogReader, type LogEntryHandler, type LogTail } from '../input-log.port.js';
import { decodeLogEntry } from '../log-entry.codec.js';
import { readingsSubject } from './readings-stream.js';

/** Entries a partition's consumer asks the server for at once (its read-ahead). */
const READ_AHEAD = 256;

/**
 * Reads partitions of the readings stream, each through an ordered consumer of its own: an
 * ephemeral pull consumer filtered on the partition's subject (one `filter_subject`, which
 * nats-server 2.9 has; several per consumer need 2.10), started at the sequence just past the
 * partition's checkpointed position. The client checks the sequences it receives and, on a gap
 * or a lost consumer (a server restart), makes a new one from just past the last entry it
 * delivered: no entry is skipped or delivered twice. The server keeps no progress for these
 * consumers: the position lives in convoi's state checkpoint, the one truth a new owner starts from.
 */
export class JetStreamReader extends InputLogReader {
  private readonly logger = new Logger(JetStreamReader.name);

  constructor(
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly stream: string,
  ) {
    super();
  }

  async read(after: ReadonlyMap<number, LogPosition>, onEntry: LogEntryHandler): Promise<LogTail> {
    const reads: ConsumerMessages[] = [];
    try {
      for (const [partition, position] of after) {
        const consumer = await this.js.consumers.get(this.stream, {
          filter_subjects: readingsSubject(partition),
          deliver_policy: DeliverPolicy.StartSequence,
          opt_start_seq: position + 1,
        });
        // A callback rather than the messages' async iterator: no promise and no queue per entry.
        // The client stops the read when a callback throws, so `deliver` never does.
        reads.push(
          await consumer.consume({
            max_messages: READ_AHEAD,
            callback: (m) => this.deliver(partition, m, onEntry),
          }),
        );
      }
    } catch (err) {
      await stopAll(reads);
      throw err;
    }
    return { stop: () => stopAll(reads) };
  }

  private deliver(partition: number, m: JsMsg, onEntry: LogEntryHandler): void {
    const decoded = decodeLogEntry(m.data);
    if (!decoded.ok) {
      this.logger.warn(
        { partition, position: m.seq, reason: decoded.reason },
        'Log entry skipped: not an entry',
      );
      return;
    }
    try {
      onEntry({ ...decoded.entry, partition, position: m.seq });
    } catch (err) {
      this.logger.error({ partition, position: m.seq, err }, 'Log entry handler failed');
    }
  }

  /**
   * Purges the partition's entries up to `position` (JetStream's purge by subject and sequence):
   * the stream then keeps only what no checkpoint covers yet.
   */
  async forget(partition: number, position: LogPosition): Promise<void> {
    await this.jsm.streams.purge(this.stream, { filter: readingsSubject(partition), seq: position + 1 });
  }
}

/**
 * Stops every partition's read: once `close` resolves, the client calls no callback of it again.
 * The ephemeral consumers are left to the server, which drops them after 5 minutes without a pull.
 */
async function stopAll(reads: readonly ConsumerMessages[]): Promise<void> {
  await Promise.all(reads.map((r) => r.close()));
}
