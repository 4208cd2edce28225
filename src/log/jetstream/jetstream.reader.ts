import { Logger } from '@nestjs/common';
import type { JetStreamClient, JetStreamManager, SeqMsgRequest } from '@nats-io/jetstream';
import type { LogPosition } from '#src/contracts/log-position.js';
import { InputLogReader, type LogEntryHandler, type LogTail } from '../input-log.port.js';
import { PartitionRead } from './partition-read.js';
import { readingsSubject } from './readings-stream.js';

/**
 * Reads partitions of the readings stream, each through an ordered consumer of its own: an
 * ephemeral pull consumer filtered on the partition's subject (one `filter_subject`, which
 * nats-server 2.9 has; several per consumer need 2.10), started at the sequence just past the
 * partition's checkpointed position. The client checks the sequences it receives and, on a gap
 * or a lost consumer (a server restart), makes a new one from just past the last entry it
 * delivered: no entry is skipped or delivered twice. The server keeps no progress for these
 * consumers: the position lives in convoi's state checkpoint, the one truth a new owner starts from.
 * The ephemeral consumers of a stopped read are left to the server, which drops them after 5
 * minutes without a pull.
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
    const reads: PartitionRead[] = [];
    try {
      for (const [partition, position] of after)
        reads.push(
          await PartitionRead.start(this.js, this.stream, partition, position, onEntry, this.logger),
        );
    } catch (err) {
      await stopAll(reads);
      throw err;
    }
    return { stop: () => stopAll(reads), readThrough: () => this.readThrough(reads) };
  }

  /**
   * How far the reads have come: for each, its last entry handed over, then the stream's last
   * sequence, then the partition's next entry in the stream after that one (JetStream's get by
   * `next_by_subj`): none, the read has come to the last sequence; else to just before it. In
   * that order, an entry stored meanwhile is past the last sequence read. When the server does
   * not answer, only the entries handed over.
   */
  private async readThrough(reads: readonly PartitionRead[]): Promise<LogPosition> {
    const handed = reads.map((r) => r.handedTo);
    const least = Math.min(...handed);
    try {
      const last = (await this.jsm.streams.info(this.stream)).state.last_seq;
      const through = await Promise.all(
        reads.map(async (r, i) => {
          // nats-server 2.9's message get takes `next_by_subj` with `seq`; the client types it
          // for the direct get only, which the stream would have to allow.
          const next = await this.jsm.streams.getMessage(this.stream, {
            seq: handed[i] + 1,
            next_by_subj: readingsSubject(r.partition),
          } as SeqMsgRequest);
          return Math.max(handed[i], next === null ? last : Math.min(next.seq - 1, last));
        }),
      );
      return Math.min(...through);
    } catch (err) {
      this.logger.warn({ err }, 'How far the log was read is unknown: only what was handed over');
      return least;
    }
  }

  /**
   * Purges the partition's entries up to `position` (JetStream's purge by subject and sequence):
   * the stream then keeps only what no checkpoint covers yet.
   */
  async forget(partition: number, position: LogPosition): Promise<void> {
    await this.jsm.streams.purge(this.stream, { filter: readingsSubject(partition), seq: position + 1 });
  }

  /**
   * Purges every entry up to `position`, of whatever partition (a purge by sequence alone, which
   * drops whole blocks of the stream's files). A purge by subject reads every entry of the range
   * to find its partition's: forgetting each of P partitions so read each entry P times, most
   * of nats-server's CPU in a cluster of one processor.
   */
  async forgetAll(position: LogPosition): Promise<void> {
    await this.jsm.streams.purge(this.stream, { seq: position + 1 });
  }
}

async function stopAll(reads: readonly PartitionRead[]): Promise<void> {
  await Promise.all(reads.map((r) => r.stop()));
}
