import { Logger } from '@nestjs/common';
import pg from 'pg';
import { INSERT_READINGS, MERGE_READINGS, insertReadingsValues } from './postgres-readings.sql.js';
import { concatColumns, mergeRepeatedKeys, type ReadingColumns } from './reading-columns.js';

/** The readings' statements, prepared in the session under these names (once per connection). */
const INSERT = { name: 'convoi_insert_readings', text: INSERT_READINGS };
const MERGE = { name: 'convoi_merge_readings', text: MERGE_READINGS };

/**
 * After a batch met a stored key, how long every batch is merged without trying the plain INSERT
 * first, ms: a replay (the inbox hands over again what it held at a restart or a partition's
 * takeover, ~30–60 s of readings on PostgreSQL, most of them stored already) would otherwise
 * send each batch twice.
 */
export const MERGE_AFTER_CONFLICT_MS = 60_000;

/** SQLSTATE of a unique violation. */
const UNIQUE_VIOLATION = '23505';

/** How the session shows in `pg_stat_activity`. */
const APPLICATION_NAME = 'convoi readings writer';

/**
 * The readings writer's own connection to PostgreSQL, apart from the operational store's pool:
 * its INSERTs are named prepared statements, parsed and planned once per connection where an
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
  /** Until when batches are merged without trying the plain INSERT (performance.now() ms). */
  private mergeUntilMs = -Infinity;

  constructor(private readonly url: string) {}

  /**
   * Stores the rows of the batches, in one statement and its own transaction: a plain INSERT, or
   * when a row's key is stored already or repeats (the INSERT is refused as a whole) the merging
   * one, on the rows with their repeats merged. New readings are the steady state, and the merge
   * costs PostgreSQL a key lookup and a third WAL record per row (PERFORMANCE.md, "Issue 23's
   * ingestion target on PostgreSQL"); during a replay every statement goes straight to the merge.
   */
  async insert(batches: readonly ReadingColumns[]): Promise<void> {
    const nowMs = performance.now();
    if (nowMs >= this.mergeUntilMs)
      try {
        return await this.run(INSERT, insertReadingsValues(batches));
      } catch (error) {
        if ((error as { code?: unknown }).code !== UNIQUE_VIOLATION) throw error;
        this.mergeUntilMs = nowMs + MERGE_AFTER_CONFLICT_MS;
      }
    await this.run(MERGE, insertReadingsValues([mergeRepeatedKeys(concatColumns(batches))]));
  }

  private async run(statement: { name: string; text: string }, values: string[]): Promise<void> {
    const connecting = (this.client ??= this.connect());
    try {
      const client = await connecting;
      await client.query({ ...statement, values });
    } catch (error) {
      // A lost connection never comes back: the next statement opens another (the writer retries
      // every second). One PostgreSQL refused a statement on is sound, and keeps its statements.
      if (!statementRefused(error)) this.drop(connecting);
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

/**
 * True when PostgreSQL refused the statement and the session goes on; false when the session
 * ended or never was (SQLSTATE classes 08, connection exception, and 57, operator intervention:
 * a server shutting down, a backend terminated).
 */
function statementRefused(error: unknown): boolean {
  return error instanceof pg.DatabaseError && !/^(08|57)/.test(error.code ?? '');
}
