import { Global, Module } from '@nestjs/common';
import { Clock } from '#src/common/clock.js';
import { PartitionOwnership } from '#src/partitions/partition-ownership.js';
import { OperationalDatabase } from '#src/storage/operational-database.js';
import { PartitionFence } from '#src/storage/partition-fence.js';
import { SqliteDatabase } from '#src/storage/sqlite-database.js';
import { StateCheckpoint } from '#src/storage/state-checkpoint.js';
import { ContainerStates } from './container-states.port.js';
import { PostgresContainerStates } from './postgres-container-states.js';
import { SqliteContainerStates } from './sqlite-container-states.js';
import { StateOptions } from './state.options.js';

/** The one owner of every container's state (ARCHITECTURE.md §5), global like storage. */
@Global()
@Module({
  providers: [
    {
      provide: StateOptions,
      // The input log's partition count, and the partitions this processor loads at start.
      useFactory: (ownership: PartitionOwnership): StateOptions => {
        const options = new StateOptions();
        options.partitions = ownership.partitions;
        if (!ownership.ownsAll) options.ownedAtStart = ownership.owned();
        return options;
      },
      inject: [PartitionOwnership],
    },
    {
      provide: ContainerStates,
      // In the operational store: PostgreSQL when DATABASE_URL is set, else the SQLite file.
      useFactory: (
        operational: OperationalDatabase,
        sqlite: SqliteDatabase,
        clock: Clock,
        checkpoint: StateCheckpoint,
        options: StateOptions,
        fence: PartitionFence,
      ): ContainerStates =>
        operational.dialect === 'postgres'
          ? new PostgresContainerStates(operational, clock, checkpoint, options, fence)
          : new SqliteContainerStates(sqlite, clock, checkpoint, options),
      inject: [OperationalDatabase, SqliteDatabase, Clock, StateCheckpoint, StateOptions, PartitionFence],
    },
  ],
  exports: [ContainerStates],
})
export class StateModule {}
