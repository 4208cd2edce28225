import type { Database } from 'better-sqlite3';
import { ConfigError } from '#src/config/config.error.js';

/**
 * Holds the data to the partition count it was first started with (`PARTITIONS`): the count is
 * recorded at the first start, and a later start with another count is refused with a
 * {@link ConfigError}. A container's partition is its id's hash mod the count, so another count
 * would move containers to partitions whose checkpointed positions and, in cluster mode, whose
 * log subjects never held their readings.
 */
export function guardPartitionCount(db: Database, partitions: number, now: number): void {
  const recorded = db.prepare('SELECT partitions FROM partition_count WHERE id = 1').pluck().get() as
    number | undefined;
  if (recorded === undefined) {
    db.prepare('INSERT INTO partition_count (id, partitions, recorded_at) VALUES (1, ?, ?)').run(
      partitions,
      now,
    );
    return;
  }
  checkPartitionCount(recorded, partitions, 'DATA_DIR');
}

/** Refuses a start whose partition count is not the one the data (in `where`) was recorded with. */
export function checkPartitionCount(recorded: number, partitions: number, where: string): void {
  if (recorded === partitions) return;
  throw new ConfigError([
    `PARTITIONS=${partitions}, but the data in ${where} was partitioned with PARTITIONS=${recorded} ` +
      `at its first start: the partition count is fixed for the life of the data (set PARTITIONS=${recorded})`,
  ]);
}
