import { Injectable, OnModuleInit } from '@nestjs/common';
import { Clock } from '#src/common/clock.js';
import { OperationalDatabase } from '#src/storage/operational-database.js';
import { PartitionFence } from '#src/storage/partition-fence.js';
import { StateCheckpoint } from '#src/storage/state-checkpoint.js';
import { loadStored } from './container-states.restore.js';
import { PostgresStateTables } from './postgres-state.tables.js';
import { STATE_MIGRATIONS, STATE_SCOPE } from './state.migrations.js';
import { StateOptions } from './state.options.js';
import { WriteBehindContainerStates } from './write-behind-container-states.js';

/**
 * Partitions read per query of a restore: 4 of 64 partitions of 150,000 containers are ~4.6 MB
 * of pages (twice that as hex text).
 */
const PARTITIONS_PER_READ = 4;

/**
 * The container states written behind to PostgreSQL (`DATABASE_URL`, ARCHITECTURE.md §5): memory
 * as on SQLite, the checkpoint's slices sent as multi-row upserts, each awaited before the next
 * (postgres-state.tables.ts). `writeNow` and `writeSoon` are sent at once but not awaited: the hot
 * path never waits on PostgreSQL. Another process on the same database restores what this one
 * checkpointed, partition by partition. The containers are not checked against the fleet here
 * (its table may be in another node's file): a deleted container's row is deleted with it, and
 * its page slot is left out at the page's next write.
 */
@Injectable()
export class PostgresContainerStates extends WriteBehindContainerStates implements OnModuleInit {
  protected readonly store: PostgresStateTables;

  constructor(
    private readonly operational: OperationalDatabase,
    clock: Clock,
    private readonly checkpoint: StateCheckpoint,
    options: StateOptions,
    fence: PartitionFence = new PartitionFence(),
  ) {
    super(clock, options);
    this.store = new PostgresStateTables(operational.db, fence);
  }

  async onModuleInit(): Promise<void> {
    await this.operational.migrate(STATE_SCOPE, STATE_MIGRATIONS);
    await this.load(this.ownedAtStart ?? Array.from({ length: this.partitions }, (_, p) => p));
    this.checkpoint.register(this);
  }

  restore(partitions: readonly number[]): Promise<void> {
    return this.load(partitions.filter((p) => !this.held.has(p)));
  }

  /** Writes still waiting for PostgreSQL (0 once all are stored): for health and tests. */
  get waiting(): number {
    return this.store.waiting;
  }

  override async beforeApplicationShutdown(): Promise<void> {
    await super.beforeApplicationShutdown();
    this.store.open = false;
  }

  /**
   * Reads and loads the partitions a few at a time: each read holds a bounded part of the fleet
   * (its pages come as hex text), and the event loop turns between reads.
   */
  private async load(partitions: readonly number[]): Promise<void> {
    // Held from now: a second restore of them while this one reads must not load them twice.
    for (const partition of partitions) this.held.add(partition);
    for (let i = 0; i < partitions.length; i += PARTITIONS_PER_READ) {
      const some = partitions.slice(i, i + PARTITIONS_PER_READ);
      try {
        const { pages, rows } = await this.store.read(some);
        loadStored(this, pages, rows, undefined, () => undefined);
      } catch (error) {
        for (const partition of partitions.slice(i)) this.held.delete(partition);
        throw error;
      }
    }
  }
}
