/**
 * Keys of convoi's session advisory locks, in PostgreSQL's two-key form `(space, key)`: the
 * space says what a lock stands for, the key which one. The two-key form has its own key space,
 * apart from the one-key (bigint) form of the migration lock (`storage/postgres-migrator.ts`),
 * and `pg_locks` shows a two-key lock as `classid` = space, `objid` = key, `objsubid` = 2.
 * Spaces are positive int4 values ('CV' followed by a number), picked so that other software
 * sharing the database is unlikely to use them.
 */
export const LOCK_SPACE = {
  /** A live processor: key = its session's backend pid. */
  member: 0x43560001,
  /** A partition's one applying processor: key = the partition. */
  partition: 0x43560002,
  /** A singleton job's one runner: key = {@link singletonKey} of its name. */
  singleton: 0x43560003,
} as const;

/** The int4 key of a singleton job's name: FNV-1a over its UTF-16 code units, as a signed int4. */
export function singletonKey(name: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    hash ^= name.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash | 0;
}
