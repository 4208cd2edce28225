/** Limits of an {@link IdempotencyCache}. */
export interface IdempotencyCacheOptions {
  /** Most keys held at once; the oldest is forgotten first when full. */
  maxEntries: number;
  /** How long a key counts as seen, milliseconds. */
  windowMs: number;
}

/**
 * Remembers idempotency keys (DESIGN.md §4) for a time window in bounded memory, so the same
 * uplink heard by several gateways, redelivered by the broker or replayed is let through once.
 *
 * A Map keeps keys in insertion order, which is also first-seen order when times only grow: expired
 * keys are dropped from the head and the oldest key is evicted when full, each O(1) amortised.
 * A key's window runs from its first sighting; repeats do not extend it, so a device replaying the
 * same frame forever cannot keep its key alive.
 */
export class IdempotencyCache {
  private readonly firstSeen = new Map<string, number>();
  private readonly maxEntries: number;
  private readonly windowMs: number;

  constructor(options: IdempotencyCacheOptions) {
    if (!Number.isInteger(options.maxEntries) || options.maxEntries < 1) {
      throw new RangeError(`maxEntries must be a positive integer, got ${options.maxEntries}`);
    }
    if (!(options.windowMs > 0)) throw new RangeError(`windowMs must be positive, got ${options.windowMs}`);
    this.maxEntries = options.maxEntries;
    this.windowMs = options.windowMs;
  }

  /** Number of keys currently remembered. */
  get size(): number {
    return this.firstSeen.size;
  }

  /**
   * True when `key` was already seen less than the window before `atMs` (drop the message);
   * false the first time, and the key is then remembered.
   */
  seen(key: string, atMs: number): boolean {
    this.expire(atMs);
    const first = this.firstSeen.get(key);
    if (first !== undefined) {
      if (atMs - first < this.windowMs) return true;
      this.firstSeen.delete(key);
    }
    this.firstSeen.set(key, atMs);
    if (this.firstSeen.size > this.maxEntries) {
      const oldest = this.firstSeen.keys().next();
      if (oldest.done !== true) this.firstSeen.delete(oldest.value);
    }
    return false;
  }

  /** Forgets every key `matches` selects (a device deleted); O(size), for rare administrative changes. */
  forgetWhere(matches: (key: string) => boolean): number {
    let forgotten = 0;
    for (const key of this.firstSeen.keys()) {
      if (matches(key)) {
        this.firstSeen.delete(key);
        forgotten++;
      }
    }
    return forgotten;
  }

  clear(): void {
    this.firstSeen.clear();
  }

  private expire(atMs: number): void {
    const limit = atMs - this.windowMs;
    // Stops at the first young key: keys after it are younger unless the clock went backwards,
    // and those are still bounded by maxEntries.
    for (const [key, at] of this.firstSeen) {
      if (at > limit) return;
      this.firstSeen.delete(key);
    }
  }
}
