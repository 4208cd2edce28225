import { Global, Module } from '@nestjs/common';
import { SqliteDatabase } from './sqlite-database.js';

/** The SQLite operational store, shared by every feature module (each migrates its own tables). */
@Global()
@Module({ providers: [SqliteDatabase], exports: [SqliteDatabase] })
export class StorageModule {}
