/**
 * A message's position in the input log: the inbox's id with the embedded broker; in cluster mode
 * the shared log's sequence (ARCHITECTURE.md §9). Increasing in log order.
 */
export type LogPosition = number;

/**
 * The position of a message that comes from no log convoi replays (an external broker's): it is
 * never taken for a replay of what the state already holds.
 */
export const UNPOSITIONED: LogPosition = Number.POSITIVE_INFINITY;
