import type { Database } from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { OperationalDatabase } from '#src/storage/operational-database.js';
import type { RetentionTable, RetentionTables } from './retention.tables.js';

/** The query builder of the store holding a table, or undefined when no store has it (feature not in use). */
export type StoreOf = (table: RetentionTable) => Kysely<RetentionTables> | undefined;

/** Where each table is, and whether that store is shared by every node (PostgreSQL). */
export interface LocatedTables {
  storeOf: StoreOf;
  /** True for a table in PostgreSQL: one node purges it, under the lease. */
  isShared(table: RetentionTable): boolean;
}

/**
 * The stores the purge looks for tables in, first match wins: the operational store (PostgreSQL
 * or the SQLite file), then, when the operational store is PostgreSQL, the SQLite file for the
 * features still there, then the embedded time series' file. A connection gets one query builder
 * for the life of the service: on SQLite, one builder per connection keeps its transactions from
 * interleaving (Kysely serialises the queries of one builder, not of two).
 */
export class RetentionStores {
  private readonly builders: Kysely<RetentionTables>[];
  /** The operational store when it is PostgreSQL: the one store every node shares. */
  private readonly shared: Kysely<RetentionTables> | undefined;

  constructor(operational: OperationalDatabase, sqliteFiles: readonly Database[]) {
    const store = operational.db.withTables<RetentionTables>();
    this.shared = operational.dialect === 'postgres' ? store : undefined;
    this.builders = [
      store,
      ...sqliteFiles.map(
        (database) => new Kysely<RetentionTables>({ dialect: new SqliteDialect({ database }) }),
      ),
    ];
  }

  /** Finds where each table is now (a feature migrates its tables at start; the set does not change after). */
  async locate(): Promise<LocatedTables> {
    const found = new Map<string, Kysely<RetentionTables>>();
    for (const builder of this.builders) {
      for (const table of await builder.introspection.getTables()) {
        if (!found.has(table.name)) found.set(table.name, builder);
      }
    }
    return {
      storeOf: (table) => found.get(table),
      isShared: (table) => this.shared !== undefined && found.get(table) === this.shared,
    };
  }
}
