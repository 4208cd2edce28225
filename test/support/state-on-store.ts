import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '#src/common/clock.js';
import { defaultConfig } from '#src/app-settings.js';
import { PartitionOwnership } from '#src/partitions/partition-ownership.js';
import { PostgresContainerStates } from '#src/state/postgres-container-states.js';
import { SqliteContainerStates } from '#src/state/sqlite-container-states.js';
import { StateOptions } from '#src/state/state.options.js';
import type { WriteBehindContainerStates } from '#src/state/write-behind-container-states.js';
import { OperationalDatabase } from '#src/storage/operational-database.js';
import { OperationalStoreConfig } from '#src/storage/operational-store.config.js';
import { PartitionFence } from '#src/storage/partition-fence.js';
import { SqliteDatabase } from '#src/storage/sqlite-database.js';
import { StateCheckpoint } from '#src/storage/state-checkpoint.js';

/** A process's state owner and checkpoint on one operational store, as the app wires them. */
export interface StateProcess {
  states: WriteBehindContainerStates;
  checkpoint: StateCheckpoint;
  sqlite: SqliteDatabase;
  /** The fence of its writes (PostgreSQL; enforced only once it holds an epoch). */
  fence: PartitionFence;
  /** Shuts down as the app does: the state's last writes, the checkpoint's, then the stores. */
  close(): Promise<void>;
}

/**
 * Opens the state of a process owning `owned` of `partitions` (all by default) on the store at
 * `url` (undefined: the SQLite file in `dataDir`; a fresh temp dir by default, removed at close).
 */
export async function openStateProcess(
  url: string | undefined,
  clock: Clock,
  partitions: number,
  owned?: readonly number[],
  dataDir?: string,
  fence = new PartitionFence(),
): Promise<StateProcess> {
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'state-process-'));
  const sqlite = new SqliteDatabase(defaultConfig({ DATA_DIR: dir }));
  const store = new OperationalDatabase(new OperationalStoreConfig({ DATABASE_URL: url }), sqlite);
  const ownership =
    owned === undefined ? PartitionOwnership.all(partitions) : PartitionOwnership.of(partitions, owned);
  const checkpoint = new StateCheckpoint(sqlite, clock, ownership, store, undefined, undefined, fence);
  const options = Object.assign(new StateOptions(), { partitions, ownedAtStart: owned });
  const states =
    store.dialect === 'postgres'
      ? new PostgresContainerStates(store, clock, checkpoint, options, fence)
      : new SqliteContainerStates(sqlite, clock, checkpoint, options);
  try {
    await checkpoint.onModuleInit();
    await states.onModuleInit();
  } catch (error) {
    await store.onApplicationShutdown();
    await sqlite.onApplicationShutdown();
    if (dataDir === undefined) rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    states,
    checkpoint,
    sqlite,
    fence,
    close: async () => {
      await states.beforeApplicationShutdown();
      await checkpoint.beforeApplicationShutdown();
      await store.onApplicationShutdown();
      await sqlite.onApplicationShutdown();
      if (dataDir === undefined) rmSync(dir, { recursive: true, force: true });
    },
  };
}
