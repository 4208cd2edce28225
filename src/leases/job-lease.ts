/**
 * What a singleton job sees of its lease (ARCHITECTURE.md §9): whether this node is its runner
 * now. The job asks before each run and between the slices of a long one, and stops when false.
 */
export interface JobLease {
  /** The job's name, the same on every node (`retention-purge`, ...). */
  readonly name: string;
  isHeld(): boolean;
}

/**
 * The lease of a node that cannot have a peer: on SQLite the operational store is this node's
 * own file, which the inbox owner lock keeps to one process, so the node runs every job.
 */
export function alwaysHeld(name: string): JobLease {
  return { name, isHeld: () => true };
}
