import { sql, type Kysely } from 'kysely';

/** One partition of `readings` per UTC day of measured_at. */
export const PARTITION_DAY_MS = 86_400_000;

/**
 * Key of the advisory lock under which partitions are created and dropped (any fixed number;
 * this one spells "rdgs"): two nodes creating the same day at once would collide on the catalog.
 */
const PARTITION_LOCK_KEY = 0x72646773;

/** `readings_p20261207`: the partition of that UTC day. */
export function partitionName(day: number): string {
  const date = new Date(day * PARTITION_DAY_MS).toISOString();
  return `readings_p${date.slice(0, 4)}${date.slice(5, 7)}${date.slice(8, 10)}`;
}

/** The day (days since the epoch) a partition name stands for; undefined for another name. */
export function partitionDay(name: string): number | undefined {
  const m = /^readings_p(\d{4})(\d{2})(\d{2})$/.exec(name);
  if (m === null) return undefined;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / PARTITION_DAY_MS;
}

/** The day of an instant, epoch ms. */
export const dayOf = (ms: number): number => Math.floor(ms / PARTITION_DAY_MS);

/**
 * The daily partitions of `readings`. There is no default partition: a day's partition is
 * created before the first reading of that day is inserted (ahead of time by the maintenance
 * step, on demand by the writer for a day it has not seen), so no reading is refused for lack of
 * one, and retention drops whole days with DROP TABLE instead of deleting rows. (A default
 * partition would hold the rows of days not created yet, and creating such a day later fails
 * while the default holds rows of it.)
 */
export class PostgresReadingPartitions {
  /** Days known to exist here; emptied when an insert fails (another node may have dropped one). */
  private readonly known = new Set<number>();

  constructor(private readonly db: Kysely<object>) {}

  /** Creates the partitions of the given days that this node does not know to exist. */
  async ensure(days: Iterable<number>): Promise<void> {
    const missing = [...new Set(days)].filter((d) => !this.known.has(d));
    if (missing.length === 0) return;
    await this.db.transaction().execute(async (trx) => {
      await sql`SELECT pg_advisory_xact_lock(${sql.lit(PARTITION_LOCK_KEY)})`.execute(trx);
      for (const day of missing) {
        const from = day * PARTITION_DAY_MS;
        await sql`CREATE TABLE IF NOT EXISTS ${sql.id(partitionName(day))} PARTITION OF readings
                  FOR VALUES FROM (${sql.lit(from)}) TO (${sql.lit(from + PARTITION_DAY_MS)})`.execute(trx);
      }
    });
    for (const day of missing) this.known.add(day);
  }

  /** Forgets which days exist: the next {@link ensure} checks again. */
  forget(): void {
    this.known.clear();
  }

  /** The days that have a partition, oldest first. */
  async days(): Promise<number[]> {
    const { rows } = await sql<{ name: string }>`
      SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = 'readings'::regclass`.execute(this.db);
    return rows
      .map((r) => partitionDay(r.name))
      .filter((d): d is number => d !== undefined)
      .sort((a, b) => a - b);
  }

  /**
   * Drops the partitions whose every reading is older than `cutoffMs` (the day ends at or before
   * it): a day is kept whole until its last instant passes the limit. Returns the days dropped.
   */
  async dropBefore(cutoffMs: number): Promise<number[]> {
    const old = (await this.days()).filter((d) => (d + 1) * PARTITION_DAY_MS <= cutoffMs);
    if (old.length === 0) return [];
    await this.db.transaction().execute(async (trx) => {
      await sql`SELECT pg_advisory_xact_lock(${sql.lit(PARTITION_LOCK_KEY)})`.execute(trx);
      for (const day of old) await sql`DROP TABLE IF EXISTS ${sql.id(partitionName(day))}`.execute(trx);
    });
    for (const day of old) this.known.delete(day);
    return old;
  }
}
