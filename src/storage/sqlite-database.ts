import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import type { Database } from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DataDirConfig } from './operational-store.config.js';
import type { Migration } from './migration.js';
import { answers, migrateSqliteFile, openSqliteFile } from './sqlite-file.js';
import { WalCheckpointer } from './wal-checkpointer.js';

/**
 * The operational store's connection (ARCHITECTURE.md §5): `DATA_DIR/convoi.sqlite`. Opened when
 * constructed so that feature modules can migrate in their own `onModuleInit`; closed in
 * `onApplicationShutdown`, after every writer flushed in `beforeApplicationShutdown`.
 */
@Injectable()
export class SqliteDatabase implements OnApplicationShutdown {
  private readonly logger = new Logger(SqliteDatabase.name);
  readonly connection: Database;
  /** The database file, for threads with connections of their own. */
  readonly file: string;
  private readonly checkpointer: WalCheckpointer;

  constructor(config: DataDirConfig) {
    mkdirSync(config.DATA_DIR, { recursive: true });
    this.file = join(config.DATA_DIR, 'convoi.sqlite');
    this.connection = openSqliteFile(this.file);
    this.checkpointer = new WalCheckpointer(this.connection, this.file);
    this.logger.log(`SQLite opened at ${this.file}`);
  }

  /** Applies the scope's pending migrations in one transaction (see {@link migrateSqliteFile}). */
  migrate(scope: string, migrations: readonly Migration[]): void {
    const reached = migrateSqliteFile(this.connection, scope, migrations);
    if (reached !== undefined) this.logger.log(`Migrated ${scope} to version ${reached}`);
  }

  /** True while the connection answers a trivial query (health check). */
  isHealthy(): boolean {
    return answers(this.connection);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.checkpointer.close();
    if (this.connection.open) this.connection.close();
  }
}
