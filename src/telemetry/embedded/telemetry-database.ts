import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import type { Database } from 'better-sqlite3';
import { join } from 'node:path';
import { EmbeddedTelemetryConfig } from '../telemetry.config.js';
import { SqliteDatabase } from '#src/storage/sqlite-database.js';
import { migrateSqliteFile, openSqliteFile } from '#src/storage/sqlite-file.js';
import { WalCheckpointer } from '#src/storage/wal-checkpointer.js';
import { EMBEDDED_TELEMETRY_MIGRATIONS } from './embedded-telemetry.migrations.js';
import { moveLegacyTelemetry } from './legacy-telemetry.js';

/** The embedded store's time series, next to convoi.sqlite in DATA_DIR. */
export const TELEMETRY_FILE = 'telemetry.sqlite';

/**
 * The embedded time series (readings, alert events) in a file of their own,
 * `DATA_DIR/telemetry.sqlite`: the telemetry store thread inserts into it with its own connection,
 * and SQLite has one writer per file. In convoi.sqlite that thread and the main thread's stores
 * took the write lock in turns and each commit emptied the other connection's page cache: the
 * main thread was slower than when it wrote the readings itself. This connection (main thread)
 * serves history queries, alert events and retention.
 */
@Injectable()
export class TelemetryDatabase implements OnApplicationShutdown {
  private readonly logger = new Logger(TelemetryDatabase.name);
  readonly connection: Database;
  readonly file: string;
  private readonly checkpointer: WalCheckpointer;

  constructor(config: EmbeddedTelemetryConfig, sqlite: SqliteDatabase) {
    this.file = join(config.DATA_DIR, TELEMETRY_FILE);
    this.connection = openSqliteFile(this.file);
    // The bulk of the checkpoints on a thread of their own: the file takes random page writes at
    // the fleet's rate, and checkpointing it in the store thread's commits held the store behind.
    this.checkpointer = new WalCheckpointer(this.connection, this.file);
    migrateSqliteFile(this.connection, 'telemetry-embedded', EMBEDDED_TELEMETRY_MIGRATIONS);
    const moved = moveLegacyTelemetry(sqlite.connection, this.file);
    if (moved > 0)
      this.logger.log(`Moved ${moved} readings and alert events from convoi.sqlite to ${this.file}`);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.checkpointer.close();
    if (this.connection.open) this.connection.close();
  }
}
