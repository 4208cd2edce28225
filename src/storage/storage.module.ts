import { Global, Module } from '@nestjs/common';
import { SqliteDatabase } from './sqlite-database.js';
import { StateCheckpoint } from './state-checkpoint.js';

/**
 * The SQLite operational store, shared by every feature module (each migrates its own tables),
 * and the checkpoint of the state features keep in memory.
 */
@Global()
@Module({ providers: [SqliteDatabase, StateCheckpoint], exports: [SqliteDatabase, StateCheckpoint] })
export class StorageModule {}
