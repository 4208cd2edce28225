import { Global, Module } from '@nestjs/common';
import { configSliceProvider } from '#src/config/config-slice.js';
import { PartitionsModule } from '#src/partitions/partitions.module.js';
import { OperationalDatabase } from './operational-database.js';
import { PartitionFence } from './partition-fence.js';
import { DataDirConfig, OperationalStoreConfig } from './operational-store.config.js';
import { SqliteDatabase } from './sqlite-database.js';
import { StateCheckpoint } from './state-checkpoint.js';
import { StateCheckpointConfig } from './state-checkpoint.config.js';
import { StoreNotifications } from './store-notifications.js';

/**
 * The operational store, shared by every feature module (each migrates its own tables): the
 * SQLite connection, and the Kysely store over SQLite or PostgreSQL for the features moved to it;
 * and the checkpoint of the state features keep in memory (per partition of the containers).
 */
@Global()
@Module({
  imports: [PartitionsModule],
  providers: [
    configSliceProvider(DataDirConfig),
    SqliteDatabase,
    configSliceProvider(OperationalStoreConfig),
    OperationalDatabase,
    StoreNotifications,
    PartitionFence,
    configSliceProvider(StateCheckpointConfig),
    StateCheckpoint,
  ],
  exports: [
    SqliteDatabase,
    OperationalDatabase,
    StoreNotifications,
    PartitionFence,
    StateCheckpoint,
    PartitionsModule,
  ],
})
export class StorageModule {}
