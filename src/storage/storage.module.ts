import { Global, Module } from '@nestjs/common';
import { PartitionsModule } from '#src/partitions/partitions.module.js';
import { SqliteDatabase } from './sqlite-database.js';
import { StateCheckpoint } from './state-checkpoint.js';

/**
 * The SQLite operational store, shared by every feature module (each migrates its own tables),
 * and the checkpoint of the state features keep in memory (per partition of the containers).
 */
@Global()
@Module({
  imports: [PartitionsModule],
  providers: [SqliteDatabase, StateCheckpoint],
  exports: [SqliteDatabase, StateCheckpoint, PartitionsModule],
})
export class StorageModule {}
