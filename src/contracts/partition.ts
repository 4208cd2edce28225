/** FNV-1a over the id's UTF-16 code units, mod `partitions`: stable across processes and versions. */
export function partitionOf(containerId: string, partitions: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < containerId.length; i++) {
    hash ^= containerId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % partitions;
}
