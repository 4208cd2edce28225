import { Injectable, Logger } from '@nestjs/common';
import { ConsumerStatus } from '#src/ingestion/transport/consumer-status.js';
import { leaseConnect } from '#src/leases/lease-session.js';
import { PartitionLeases } from '#src/leases/partition-leases.js';
import { PartitionFence } from '#src/storage/partition-fence.js';
import { StateCheckpoint } from '#src/storage/state-checkpoint.js';
import { ClusterConfig } from './cluster.config.js';
import { LogPartitionsProcessor } from './log-partitions.processor.js';

/**
 * A cluster processor's intake (CONVOI_ROLES processor, with NATS_URL), started and stopped by
 * bootstrap in the inbox's place: it joins the processors in PostgreSQL and takes its fair share
 * of the partitions ({@link PartitionLeases}), each read from the shared log by
 * {@link LogPartitionsProcessor}; every checkpoint period what was read is settled (stored,
 * checkpointed, forgotten by the log). Stop hands every partition off cleanly before the app's
 * writers stop.
 */
@Injectable()
export class ClusterIntake {
  private readonly logger = new Logger('Processor');
  private leases?: PartitionLeases;
  private timer?: NodeJS.Timeout;
  private settling: Promise<void> = Promise.resolve();

  constructor(
    private readonly config: ClusterConfig,
    private readonly processor: LogPartitionsProcessor,
    private readonly status: ConsumerStatus,
    private readonly checkpoint: StateCheckpoint,
    private readonly fence: PartitionFence,
  ) {}

  async start(): Promise<void> {
    const url = this.config.DATABASE_URL;
    if (url === undefined) throw new Error('a cluster processor needs DATABASE_URL (its partition leases)');
    const leases = new PartitionLeases({
      partitions: this.config.PARTITIONS,
      connect: leaseConnect(url, 'convoi-partitions'),
      listener: this.processor,
    });
    this.leases = leases;
    // From here a partition's state is written only under the epoch its lock was taken with; a
    // write another holder's newer epoch refused gives the partition up (lost, then unlocked).
    this.fence.enforce();
    this.fence.onFenced((partitions) => void leases.forfeit(partitions));
    await leases.start();
    this.status.set('connected');
    this.timer = setInterval(() => this.settleInTurn(), this.checkpoint.everyMs);
    this.timer.unref();
    this.logger.log({ owned: this.leases.owned().length }, 'Joined the processors');
  }

  /** Owned partitions now (tests, logs). */
  owned(): number[] {
    return this.leases?.owned() ?? [];
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.status.set('closed');
    await this.settling;
    // Each partition: stop reading, store, checkpoint, forget, then its lock is released.
    await this.leases?.stop();
    await this.processor.stopAll();
  }

  private settleInTurn(): void {
    this.settling = this.settling
      .then(() => this.processor.settle())
      .catch((err: unknown) => this.logger.warn({ err }, 'Settling the partitions read failed'));
  }
}
