import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { redactDatabaseUrl } from './database-url.js';
import { OperationalStoreConfig } from './operational-store.config.js';
import { migratePostgres } from './postgres-migrator.js';
import { POSTGRES_TYPES } from './postgres-types.js';
import { SqliteDatabase } from './sqlite-database.js';
import { sqliteMigrations, type StoreDialect, type StoreMigration } from './store-migration.js';

/** Connections a node keeps to PostgreSQL (REST and background work; the hot path does not query). */
const POOL_SIZE = 10;

/**
 * The operational store as a Kysely query builder (ARCHITECTURE.md §5): PostgreSQL when
 * `DATABASE_URL` is set, otherwise the SQLite file of {@link SqliteDatabase} (same connection),
 * so a repository's queries are written once for both. A feature types its own tables with
 * `db.withTables<Tables>()` and migrates them with {@link migrate} in its `onModuleInit`.
 *
 * On SQLite, better-sqlite3 runs each query synchronously inside Kysely's promise, so a Kysely
 * transaction made only of queries completes within microtasks: no I/O callback (and so no other
 * writer of the shared connection) runs between its BEGIN and COMMIT. Keep other awaits out of
 * transactions.
 */
@Injectable()
export class OperationalDatabase implements OnApplicationShutdown {
  private readonly logger = new Logger(OperationalDatabase.name);
  readonly dialect: StoreDialect;
  readonly db: Kysely<object>;
  private readonly pool: pg.Pool | undefined;
  /** `DATABASE_URL`, for the sessions a feature must hold on its own (LISTEN: store-notifications.ts). */
  readonly url: string | undefined;
  private readonly writers: (() => Promise<void>)[] = [];

  constructor(
    config: OperationalStoreConfig,
    private readonly sqlite: SqliteDatabase,
  ) {
    const url = config.DATABASE_URL;
    if (url === undefined) {
      this.dialect = 'sqlite';
      this.db = new Kysely<object>({ dialect: new SqliteDialect({ database: sqlite.connection }) });
      return;
    }
    this.dialect = 'postgres';
    const pool = new pg.Pool({ connectionString: url, max: POOL_SIZE, types: POSTGRES_TYPES });
    // An idle connection dropped by the server emits here; unhandled, it would end the process.
    pool.on('error', (error) => this.logger.warn(`PostgreSQL connection lost: ${error.message}`));
    this.pool = pool;
    this.url = url;
    this.db = new Kysely<object>({ dialect: new PostgresDialect({ pool }) });
    this.logger.log(`PostgreSQL at ${redactDatabaseUrl(url)}`);
  }

  /** Applies the scope's pending migrations, in one transaction, in this store's dialect. */
  async migrate(scope: string, migrations: readonly StoreMigration[]): Promise<void> {
    if (this.dialect === 'sqlite') {
      // The same runner and bookkeeping table as every SQLite-only feature (sqlite-file.ts).
      this.sqlite.migrate(scope, sqliteMigrations(migrations));
      return;
    }
    const reached = await migratePostgres(this.db, scope, migrations);
    if (reached !== undefined) this.logger.log(`Migrated ${scope} to version ${reached} (PostgreSQL)`);
  }

  /** True while the store answers a trivial query (health check). */
  async isHealthy(): Promise<boolean> {
    try {
      await sql`SELECT 1`.execute(this.db);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Registers a feature's write-behind queue: its flush is awaited before the store closes. Nest
   * closes the HTTP server after `beforeApplicationShutdown`, so a request answered meanwhile can
   * still queue a write; this flush stores it.
   */
  flushBeforeClose(flush: () => Promise<void>): void {
    this.writers.push(flush);
  }

  async onApplicationShutdown(): Promise<void> {
    for (const flush of this.writers) await flush();
    // The SQLite connection belongs to SqliteDatabase, which closes it; Kysely's destroy would too.
    if (this.pool !== undefined) await this.db.destroy();
  }
}
