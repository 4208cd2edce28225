import { Module } from '@nestjs/common';
import { configSliceProvider } from '#src/config/config-slice.js';
import { ProcessRoles } from '#src/config/process-roles.js';
import { PartitionOwnership } from './partition-ownership.js';
import { PartitionsConfig } from './partitions.config.js';

/**
 * The partition count and this process's share of the partitions: on one node, all of them; in
 * cluster mode none at start, then those its leases take (`cluster/`).
 */
@Module({
  providers: [
    configSliceProvider(PartitionsConfig),
    {
      provide: PartitionOwnership,
      useFactory: (config: PartitionsConfig, roles: ProcessRoles) =>
        roles.clustered
          ? PartitionOwnership.of(config.PARTITIONS, [])
          : PartitionOwnership.all(config.PARTITIONS),
      inject: [PartitionsConfig, ProcessRoles],
    },
  ],
  exports: [PartitionsConfig, PartitionOwnership],
})
export class PartitionsModule {}
