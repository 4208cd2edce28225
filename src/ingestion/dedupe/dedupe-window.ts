import { DEDUPE_ENTRY, DEDUPE_KEYS } from '#src/state/state.layout.js';

/** What {@link checkKey} found for a key. */
export const KeySighting = {
  /** Not seen in the window: now remembered, with its fingerprint. */
  New: 0,
  /** Seen in the window with the same fingerprint: a repeat. */
  Same: 1,
  /** Seen in the window with another fingerprint: another content under the same key. */
  Different: 2,
} as const;
export type KeySighting = (typeof KeySighting)[keyof typeof KeySighting];

const TWO_32 = 0x1_0000_0000;

/**
 * A container's dedupe window (ARCHITECTURE.md §4): its {@link DEDUPE_KEYS} newest idempotency
 * keys, each remembered for `windowMs` of reception time from its first sighting (repeats do not
 * extend it, so a device replaying one frame forever cannot keep its key alive), in the window
 * numbers of the container's state slot at `base` of `window`, so it is checkpointed and restored
 * with the rest of it.
 * Each entry: the key's 53-bit hash, its content fingerprint (32 bits) with a 21-bit tag of the
 * device that sent it, its first sighting (NaN: empty). A full window forgets its oldest key. A
 * key restored from a checkpoint lets the first same content through once (`markRestoredKeys`:
 * the input log may replay it); another content under it is a conflict as ever.
 * Two keys share a hash with a probability of 2⁻⁵³ per pair compared: a reading dropped as a
 * repeat it is not.
 *
 * The fingerprint of a new key is kept; later sightings are compared with it, never replace it.
 */
export function checkKey(
  window: Float64Array,
  base: number,
  key: string,
  fingerprint: number,
  owner: string,
  atMs: number,
  windowMs: number,
): KeySighting {
  const keyHash = hash53(key);
  let free = -1;
  let oldest = -1;
  let oldestAt = Infinity;
  for (let e = 0; e < DEDUPE_KEYS; e++) {
    const at = base + e * DEDUPE_ENTRY;
    const restored = window[at + 2];
    const seen = restored < 0 ? -restored : restored;
    // NaN (empty) and expired entries are free; NaN fails both comparisons.
    if (!(atMs - seen < windowMs)) {
      if (free < 0) free = at;
      continue;
    }
    if (window[at] === keyHash) {
      if (window[at + 1] % TWO_32 !== fingerprint >>> 0) return KeySighting.Different;
      if (restored > 0) return KeySighting.Same;
      // Restored from a checkpoint (markRestoredKeys): maybe the replay of a message past its
      // position, never stored. It passes once; from now on the key is this process's own.
      window[at + 2] = seen;
      return KeySighting.New;
    }
    if (seen < oldestAt) {
      oldestAt = seen;
      oldest = at;
    }
  }
  const at = free >= 0 ? free : oldest;
  window[at] = keyHash;
  window[at + 1] = ownerTag(owner) * TWO_32 + (fingerprint >>> 0);
  window[at + 2] = atMs;
  return KeySighting.New;
}

/** Forgets the keys `owner` sent (a device deleted); true when there were some. */
export function forgetOwner(window: Float64Array, base: number, owner: string): boolean {
  const tag = ownerTag(owner);
  let forgotten = false;
  for (let e = 0; e < DEDUPE_KEYS; e++) {
    const at = base + e * DEDUPE_ENTRY;
    if (!Number.isNaN(window[at + 2]) && Math.floor(window[at + 1] / TWO_32) === tag) {
      window[at + 2] = NaN;
      forgotten = true;
    }
  }
  return forgotten;
}

/** 21 bits of the owner's hash: what fits beside a 32-bit fingerprint in a double. */
function ownerTag(owner: string): number {
  return hash(owner, 0x811c9dc5, 0x01000193) >>> 11;
}

/** Two 32-bit hashes of the key, 21 + 32 bits of them: exact in a double. */
function hash53(key: string): number {
  return (hash(key, 0x811c9dc5, 0x01000193) >>> 11) * TWO_32 + hash(key, 0x9747b28c, 0x5bd1e995);
}

/**
 * FNV-1a-style hash over UTF-16 code units, 32 bits; two seeds and multipliers give a key's
 * 53-bit hash.
 */
function hash(key: string, seed: number, multiplier: number): number {
  let h = seed;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, multiplier);
  }
  // Final avalanche (murmur3 fmix32).
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
