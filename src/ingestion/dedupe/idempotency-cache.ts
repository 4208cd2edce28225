/** Limits of an {@link IdempotencyCache}. */
export interface IdempotencyCacheOptions {
  /** Most keys held at once; the oldest is forgotten first when full. */
  maxEntries: number;
  /** How long a key counts as seen, milliseconds. */
  windowMs: number;
}

/** What {@link IdempotencyCache.check} found for a key. */
export const KeySighting = {
  /** Not seen in the window: now remembered, with its fingerprint. */
  New: 0,
  /** Seen in the window with the same fingerprint: a repeat. */
  Same: 1,
  /** Seen in the window with another fingerprint: another content under the same key. */
  Different: 2,
} as const;
export type KeySighting = (typeof KeySighting)[keyof typeof KeySighting];

const INITIAL_CAPACITY = 1024;
const EMPTY = -1;

/**
 * Remembers idempotency keys (ARCHITECTURE.md §4) for a time window in bounded memory, so the same
 * uplink heard by several gateways, redelivered by the broker or replayed is let through once.
 *
 * Each key may carry a 32-bit fingerprint of its content, so that a key seen again with other
 * content (another reading at an instant already stored) is told apart from a repeat.
 *
 * Keys are held as 64-bit hashes, in typed arrays: about 32 bytes a key instead of ~100 for a
 * string in a Map (issue 11: the cache holds up to `maxEntries`, 500,000 by default, whatever the
 * fleet). Two different keys share a hash with a probability of about size / 2^64 per key seen
 * (~3·10⁻¹⁴ when full): that is the chance of a reading dropped as a repeat it is not.
 *
 * Entries sit in a ring in first-seen order, which is also time order when times only grow:
 * expired keys leave from the head and the oldest key is evicted when full, each O(1); an
 * open-addressing index (linear probing, deletion by backward shift) finds a key's entry.
 * A key's window runs from its first sighting; repeats do not extend it, so a device replaying the
 * same frame forever cannot keep its key alive.
 */
export class IdempotencyCache {
  private readonly maxEntries: number;
  private readonly windowMs: number;
  // Ring of entries: hash halves, owner hash, content fingerprint, first sighting (NaN: forgotten,
  // skipped at the head).
  private hashHi = new Uint32Array(0);
  private hashLo = new Uint32Array(0);
  private owners = new Uint32Array(0);
  private fingerprints = new Uint32Array(0);
  private firstSeen = new Float64Array(0);
  private head = 0;
  /** Entries in the ring, forgotten ones included. */
  private used = 0;
  private live = 0;
  /** Ring position of each key, by hash; twice the ring's size so probes stay short. */
  private index = new Int32Array(0);

  constructor(options: IdempotencyCacheOptions) {
    if (!Number.isInteger(options.maxEntries) || options.maxEntries < 1) {
      throw new RangeError(`maxEntries must be a positive integer, got ${options.maxEntries}`);
    }
    if (!(options.windowMs > 0)) throw new RangeError(`windowMs must be positive, got ${options.windowMs}`);
    this.maxEntries = options.maxEntries;
    this.windowMs = options.windowMs;
    this.resize(Math.min(INITIAL_CAPACITY, options.maxEntries));
  }

  /** Number of keys currently remembered. */
  get size(): number {
    return this.live;
  }

  /**
   * True when `key` was already seen less than the window before `atMs` (drop the message);
   * false the first time, and the key is then remembered, for `owner` (the device) when given.
   */
  seen(key: string, atMs: number, owner = ''): boolean {
    return this.check(key, 0, atMs, owner) !== KeySighting.New;
  }

  /**
   * Like {@link seen}, and compares the content: `fingerprint` (32 bits) is kept with a new key
   * and compared with the kept one when the key is seen again in the window. The first
   * sighting's fingerprint stays: later ones are compared with it, never replace it.
   */
  check(key: string, fingerprint: number, atMs: number, owner = ''): KeySighting {
    this.expire(atMs);
    const hi = hash(key, 0x811c9dc5, 0x01000193);
    const lo = hash(key, 0x9747b28c, 0x5bd1e995);
    const slot = this.find(hi, lo);
    if (slot !== EMPTY) {
      const at = this.index[slot];
      if (atMs - this.firstSeen[at] < this.windowMs) {
        return this.fingerprints[at] === fingerprint >>> 0 ? KeySighting.Same : KeySighting.Different;
      }
      this.remove(at);
    }
    if (this.used === this.hashHi.length) {
      if (this.hashHi.length < this.maxEntries)
        this.resize(Math.min(this.hashHi.length * 2, this.maxEntries));
      else this.evictHead();
    }
    const at = (this.head + this.used) % this.hashHi.length;
    this.hashHi[at] = hi;
    this.hashLo[at] = lo;
    this.owners[at] = hash(owner, 0x811c9dc5, 0x01000193);
    this.fingerprints[at] = fingerprint;
    this.firstSeen[at] = atMs;
    this.used++;
    this.live++;
    this.insert(hi, at);
    return KeySighting.New;
  }

  /** Forgets every key remembered for `owner` (a device deleted); O(size), for rare changes. */
  forgetOwner(owner: string): number {
    const tag = hash(owner, 0x811c9dc5, 0x01000193);
    const capacity = this.hashHi.length;
    let forgotten = 0;
    for (let i = 0; i < this.used; i++) {
      const at = (this.head + i) % capacity;
      if (this.owners[at] === tag && !Number.isNaN(this.firstSeen[at])) {
        this.remove(at);
        forgotten++;
      }
    }
    return forgotten;
  }

  clear(): void {
    this.head = 0;
    this.used = 0;
    this.live = 0;
    this.index.fill(EMPTY);
  }

  private expire(atMs: number): void {
    const limit = atMs - this.windowMs;
    // Stops at the first young key: keys after it are younger unless the clock went backwards,
    // and those are still bounded by maxEntries.
    while (this.used > 0) {
      const at = this.firstSeen[this.head];
      if (at > limit) return;
      this.evictHead();
    }
  }

  /** Drops the ring's head entry (forgotten ones just leave). */
  private evictHead(): void {
    if (!Number.isNaN(this.firstSeen[this.head])) this.remove(this.head);
    this.head = (this.head + 1) % this.hashHi.length;
    this.used--;
  }

  /** Forgets the entry at ring position `at`: out of the index, marked in the ring. */
  private remove(at: number): void {
    const mask = this.index.length - 1;
    let slot = this.hashHi[at] & mask;
    while (this.index[slot] !== at) slot = (slot + 1) & mask;
    this.firstSeen[at] = NaN;
    this.live--;
    // Backward shift: entries probed past the hole move into it, so lookups need no tombstones.
    let hole = slot;
    for (let next = (hole + 1) & mask; this.index[next] !== EMPTY; next = (next + 1) & mask) {
      const home = this.hashHi[this.index[next]] & mask;
      if (((next - home) & mask) >= ((next - hole) & mask)) {
        this.index[hole] = this.index[next];
        hole = next;
      }
    }
    this.index[hole] = EMPTY;
  }

  private find(hi: number, lo: number): number {
    const mask = this.index.length - 1;
    for (let slot = hi & mask; ; slot = (slot + 1) & mask) {
      const at = this.index[slot];
      if (at === EMPTY) return EMPTY;
      if (this.hashHi[at] === hi && this.hashLo[at] === lo) return slot;
    }
  }

  private insert(hi: number, at: number): void {
    const mask = this.index.length - 1;
    let slot = hi & mask;
    while (this.index[slot] !== EMPTY) slot = (slot + 1) & mask;
    this.index[slot] = at;
  }

  /** Moves the ring (in order, forgotten entries dropped) into arrays of `capacity` entries. */
  private resize(capacity: number): void {
    const old = {
      hi: this.hashHi,
      lo: this.hashLo,
      owners: this.owners,
      fingerprints: this.fingerprints,
      at: this.firstSeen,
    };
    const oldCapacity = this.hashHi.length;
    this.hashHi = new Uint32Array(capacity);
    this.hashLo = new Uint32Array(capacity);
    this.owners = new Uint32Array(capacity);
    this.fingerprints = new Uint32Array(capacity);
    this.firstSeen = new Float64Array(capacity);
    let size = 2;
    while (size < capacity * 2) size *= 2;
    this.index = new Int32Array(size).fill(EMPTY);
    let n = 0;
    for (let i = 0; i < this.used; i++) {
      const from = (this.head + i) % oldCapacity;
      if (Number.isNaN(old.at[from])) continue;
      this.hashHi[n] = old.hi[from];
      this.hashLo[n] = old.lo[from];
      this.owners[n] = old.owners[from];
      this.fingerprints[n] = old.fingerprints[from];
      this.firstSeen[n] = old.at[from];
      this.insert(old.hi[from], n);
      n++;
    }
    this.head = 0;
    this.used = n;
    this.live = n;
  }
}

/**
 * FNV-1a-style hash over UTF-16 code units, 32 bits; two seeds and multipliers give a key's
 * 64-bit hash.
 */
function hash(key: string, seed: number, multiplier: number): number {
  let h = seed;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, multiplier);
  }
  // Final avalanche (murmur3 fmix32): FNV alone leaves the low bits, used by the index, weak.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
