import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { AppConfig } from '#src/config/app-config.js';
import type { Migration } from './migration.js';
import { WalCheckpointer } from './wal-checkpointer.js';

/**
 * The one SQLite connection of the process (operational store, DESIGN.md §5).
 * Opened when constructed so that feature modules can migrate in their own `onModuleInit`;
 * closed in `onApplicationShutdown`, after every writer flushed in `beforeApplicationShutdown`.
 */
@Injectable()
export class SqliteDatabase implements OnApplicationShutdown {
  private readonly logger = new Logger(SqliteDatabase.name);
  readonly connection: Database;
  private readonly checkpointer: WalCheckpointer;

  constructor(config: AppConfig) {
    mkdirSync(config.DATA_DIR, { recursive: true });
    const file = join(config.DATA_DIR, 'convoi.sqlite');
    this.connection = new BetterSqlite3(file);
    // WAL: readers (REST) never block the writer (ingestion); NORMAL is durable across process
    // crashes in WAL mode, only an OS crash can lose the last transactions.
    this.connection.pragma('journal_mode = WAL');
    this.connection.pragma('synchronous = NORMAL');
    this.connection.pragma('foreign_keys = ON');
    this.connection.pragma('busy_timeout = 5000');
    this.checkpointer = new WalCheckpointer(this.connection, file);
    this.connection.exec(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
         scope TEXT NOT NULL, version INTEGER NOT NULL, description TEXT NOT NULL,
         applied_at INTEGER NOT NULL, PRIMARY KEY (scope, version))`,
    );
    this.logger.log(`SQLite opened at ${file}`);
  }

  /**
   * Applies the migrations of one scope that are not applied yet, in version order, all in one
   * transaction: either the scope reaches its newest version or nothing changes.
   */
  migrate(scope: string, migrations: readonly Migration[]): void {
    const applied = new Set(
      this.connection
        .prepare<[string], { version: number }>('SELECT version FROM schema_migrations WHERE scope = ?')
        .all(scope)
        .map((r) => r.version),
    );
    const pending = [...migrations]
      .filter((m) => !applied.has(m.version))
      .sort((a, b) => a.version - b.version);
    if (pending.length === 0) return;
    const record = this.connection.prepare(
      'INSERT INTO schema_migrations (scope, version, description, applied_at) VALUES (?, ?, ?, ?)',
    );
    this.connection.transaction(() => {
      for (const m of pending) {
        if (typeof m.up === 'string') this.connection.exec(m.up);
        else m.up(this.connection);
        record.run(scope, m.version, m.description, Date.now());
      }
    })();
    this.logger.log(`Migrated ${scope} to version ${pending[pending.length - 1].version}`);
  }

  /** True while the connection answers a trivial query (health check). */
  isHealthy(): boolean {
    try {
      return this.connection.prepare('SELECT 1 AS ok').get() !== undefined;
    } catch {
      return false;
    }
  }

  onApplicationShutdown(): void {
    this.checkpointer.close();
    if (this.connection.open) this.connection.close();
  }
}
