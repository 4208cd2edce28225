import { Module } from '@nestjs/common';
import { configSliceProvider } from '#src/config/config-slice.js';
import { PartitionOwnership } from './partition-ownership.js';
import { PartitionsConfig } from './partitions.config.js';

/** The partition count and this process's share of the partitions: on one node, all of them. */
@Module({
  providers: [
    configSliceProvider(PartitionsConfig),
    {
      provide: PartitionOwnership,
      useFactory: (config: PartitionsConfig) => PartitionOwnership.all(config.PARTITIONS),
      inject: [PartitionsConfig],
    },
  ],
  exports: [PartitionsConfig, PartitionOwnership],
})
export class PartitionsModule {}
