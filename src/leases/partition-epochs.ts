import type { LeaseSession } from './lease-session.js';

/**
 * Bumps the fencing epoch of each partition (`partition_epochs`, migrated with the checkpoint's
 * tables; storage/partition-fence.ts) and returns the new ones. Run on the lease session that
 * has just locked them, so an epoch is only ever bumped by the lock's holder: the epochs of a
 * partition rise in the order its holders took it. In partition order, as the checkpoint's
 * writes lock the rows, so that a bump and a write never wait on each other in a cycle; a write
 * that holds a row's share lock makes the bump wait for its commit.
 */
export async function bumpEpochs(
  session: LeaseSession,
  partitions: readonly number[],
): Promise<Map<number, number>> {
  const rows = await session.query<{ partition: number; epoch: number }>(
    `INSERT INTO partition_epochs (partition, epoch)
     SELECT p, 1 FROM unnest($1::int[]) AS p ORDER BY p
     ON CONFLICT (partition) DO UPDATE SET epoch = partition_epochs.epoch + 1
     RETURNING partition, epoch`,
    [[...partitions].sort((a, b) => a - b)],
  );
  return new Map(rows.map((r) => [r.partition, r.epoch]));
}
