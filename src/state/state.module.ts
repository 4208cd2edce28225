import { Global, Module } from '@nestjs/common';
import { AppConfig } from '#src/config/app-config.js';
import { ContainerStates } from './container-states.port.js';
import { SqliteContainerStates } from './sqlite-container-states.js';
import { StateOptions } from './state.options.js';

/** The one owner of every container's state (ARCHITECTURE.md §5), global like storage. */
@Global()
@Module({
  providers: [
    {
      provide: StateOptions,
      // `PARTITIONS` (the input log's partition count) once the setting exists; 64 until then.
      useFactory: (config: AppConfig): StateOptions => {
        const options = new StateOptions();
        const partitions = (config as Partial<Record<'PARTITIONS', number>>).PARTITIONS;
        if (partitions !== undefined) options.partitions = partitions;
        return options;
      },
      inject: [AppConfig],
    },
    { provide: ContainerStates, useClass: SqliteContainerStates },
  ],
  exports: [ContainerStates],
})
export class StateModule {}
