/**
 * The number of partitions the member at `rank` (0-based, in the members' agreed order) aims at:
 * `partitions` shared as evenly as possible, the first `partitions % members` members taking one
 * more. The shares add up to `partitions` exactly, and every member computes every share from the
 * same member list, so no two members aim at the same spare partition and none is left over.
 */
export function fairShare(partitions: number, members: number, rank: number): number {
  if (members < 1 || rank < 0 || rank >= members)
    throw new RangeError(`rank ${rank} is not one of ${members} members`);
  return Math.floor(partitions / members) + (rank < partitions % members ? 1 : 0);
}

/**
 * The order in which the member at `rank` tries free partitions: from its own stretch of the
 * range on, wrapping round, so that members joining at once mostly try different partitions
 * first rather than all racing for partition 0.
 */
export function preferredOrder(partitions: number, members: number, rank: number): number[] {
  const start = Math.min(partitions, Math.ceil(partitions / members) * rank) % Math.max(1, partitions);
  return Array.from({ length: partitions }, (_, i) => (start + i) % partitions);
}
