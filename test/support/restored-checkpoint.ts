import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '#src/common/clock.js';
import { defaultConfig } from '#src/app-settings.js';
import { PartitionOwnership } from '#src/partitions/partition-ownership.js';
import { SqliteDatabase } from '#src/storage/sqlite-database.js';
import { StateCheckpoint } from '#src/storage/state-checkpoint.js';

/** One earlier run of a processor: its partitions, and the position it checkpointed them at. */
export interface EarlierRun {
  partitions: Iterable<number>;
  position: number;
}

/**
 * A {@link StateCheckpoint} as a start restores it, in a temporary SQLite file, after earlier runs
 * each checkpointed their partitions (leases, in cluster mode) at their positions.
 */
export async function restoredCheckpoint(
  partitions: number,
  ownership: PartitionOwnership,
  earlier: readonly EarlierRun[] = [],
): Promise<{ checkpoint: StateCheckpoint; close: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'restored-checkpoint-'));
  const sqlite = new SqliteDatabase(defaultConfig({ DATA_DIR: dir }));
  const open = (owner: PartitionOwnership) => {
    const c = new StateCheckpoint(sqlite, new ManualClock(0), owner);
    void c.onModuleInit(); // on SQLite, opened before it returns
    return c;
  };
  for (const run of earlier) {
    const c = open(PartitionOwnership.of(partitions, run.partitions));
    c.applied(run.position);
    await c.beforeApplicationShutdown();
  }
  const checkpoint = open(ownership);
  return {
    checkpoint,
    close: async () => {
      await checkpoint.beforeApplicationShutdown();
      await sqlite.onApplicationShutdown();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
