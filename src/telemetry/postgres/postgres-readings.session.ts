import { Logger } from '@nestjs/common';
import pg from 'pg';
import { INSERT_READINGS, insertReadingsValues } from './postgres-readings.sql.js';
import type { ReadingColumns } from './reading-columns.js';

/** Name of the readings' INSERT prepared in the session (pg prepares it once per connection). */
const INSERT_READINGS_STATEMENT = 'convoi_insert_readings';

/** How the session shows in `pg_stat_activity`. */
const APPLICATION_NAME = 'convoi readings writer';

/**
 * The readings writer's own connection to PostgreSQL, apart from the operational store's pool:
 * its INSERT is a named prepared statement, parsed and planned once per connection where an
 * unnamed one (Kysely's, through the pool) was parsed, analysed and planned for every batch
 * (~2.3 µs per reading of the server's CPU at 100 readings a statement, a fifth of the INSERT's;
 * PERFORMANCE.md, "Issue 23's ingestion target on PostgreSQL"), and it never waits for one of the
 * pool's ten connections behind REST reads or the state checkpoint. The writer sends one statement
 * at a time, so one connection is all it uses. A connection that failed is dropped, and the next
 * INSERT opens another (the writer retries every second).
 */
export class PostgresReadingsSession {
  private readonly logger = new Logger(PostgresReadingsSession.name);
  private client?: Promise<pg.Client>;

  constructor(private readonly url: string) {}

  /** Inserts the rows (their keys distinct: mergeRepeatedKeys) in one statement, its own transaction. */
  async insert(columns: ReadingColumns): Promise<void> {
    const connecting = (this.client ??= this.connect());
    try {
      const client = await connecting;
      await client.query({
        name: INSERT_READINGS_STATEMENT,
        text: INSERT_READINGS,
        values: insertReadingsValues(columns),
      });
    } catch (error) {
      // A refused statement may leave the connection sound, but a lost one never comes back:
      // starting again costs one connection per failure, which the writer's 1 s retry bounds.
      this.drop(connecting);
      throw error;
    }
  }

  async close(): Promise<void> {
    const connecting = this.client;
    this.client = undefined;
    if (connecting === undefined) return;
    await connecting.then((c) => c.end()).catch(() => undefined);
  }

  private connect(): Promise<pg.Client> {
    const client = new pg.Client({
      connectionString: this.url,
      application_name: APPLICATION_NAME,
      keepAlive: true,
    });
    const connecting = client.connect().then(
      () => client,
      async (error: unknown) => {
        await client.end().catch(() => undefined);
        throw error;
      },
    );
    // Registered before any I/O: an error event with no listener would end the process.
    client.on('error', (error) => {
      this.logger.warn(`PostgreSQL connection of the readings writer lost: ${error.message}`);
      this.drop(connecting);
    });
    return connecting;
  }

  private drop(connecting: Promise<pg.Client>): void {
    if (this.client === connecting) this.client = undefined;
    void connecting.then((c) => c.end()).catch(() => undefined);
  }
}
