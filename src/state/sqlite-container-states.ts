import { Injectable, OnModuleInit } from '@nestjs/common';
import { Clock } from '#src/common/clock.js';
import { SqliteDatabase } from '#src/storage/sqlite-database.js';
import { StateCheckpoint } from '#src/storage/state-checkpoint.js';
import { sqliteMigrations } from '#src/storage/store-migration.js';
import { restoreInto, type Restorer } from './container-states.restore.js';
import { STATE_MIGRATIONS, STATE_SCOPE } from './state.migrations.js';
import { StateOptions } from './state.options.js';
import { StateTables } from './state.tables.js';
import { WriteBehindContainerStates } from './write-behind-container-states.js';

/**
 * The container states written behind to the SQLite file (ARCHITECTURE.md §5), synchronously:
 * a write is stored when its call returns. At start it carries over what tables of another
 * partition count or of earlier versions hold, and loads the partitions it owns.
 */
@Injectable()
export class SqliteContainerStates extends WriteBehindContainerStates implements OnModuleInit, Restorer {
  tables!: StateTables;

  constructor(
    private readonly sqlite: SqliteDatabase,
    clock: Clock,
    private readonly checkpoint: StateCheckpoint,
    options: StateOptions,
  ) {
    super(clock, options);
  }

  protected get store(): StateTables {
    return this.tables;
  }

  onModuleInit(): void {
    this.sqlite.migrate(STATE_SCOPE, sqliteMigrations(STATE_MIGRATIONS));
    this.tables = new StateTables(this.sqlite.connection);
    restoreInto(this, this.sqlite.connection, undefined, this.ownedAtStart);
    this.checkpoint.register(this);
  }

  /** Loads synchronously: the states are there when it returns. */
  restore(partitions: readonly number[]): Promise<void> {
    restoreInto(this, this.sqlite.connection, partitions);
    return Promise.resolve();
  }
}
