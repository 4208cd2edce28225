import { Global, Module } from '@nestjs/common';
import { PartitionOwnership } from '#src/partitions/partition-ownership.js';
import { ContainerStates } from './container-states.port.js';
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
    { provide: ContainerStates, useClass: SqliteContainerStates },
  ],
  exports: [ContainerStates],
})
export class StateModule {}
