import type { Principal } from './principal.js';

/** A credential as stored: its hash, and who it authenticates as. */
export interface StoredCredential {
  hash: string;
  principal: Principal;
}

/** Credentials a node keeps in memory: a fleet's worth at ~0.3 kB each (about 30 MB). */
export const CREDENTIAL_CACHE_ENTRIES = 100_000;

/** What the store said of a username: its credential, or `null` for none (unknown or revoked). */
export type CachedAnswer = StoredCredential | null;

/**
 * What the store said of recently tried usernames, least recently used dropped first, so a
 * reconnecting fleet's CONNECTs compare against memory instead of querying the store. Unknown
 * usernames are kept too (as `null`): a refusal then costs what an acceptance costs, so timing
 * does not tell a known device from an unknown one. Whoever learns that a row changed, inserts
 * included, calls {@link forget}; a lookup started before a change does not put its (possibly
 * older) answer in afterwards ({@link generation}).
 */
export class VerifiedCredentialCache {
  private readonly entries = new Map<string, CachedAnswer>();
  private generationCount = 0;
  private enabled: boolean;

  constructor(
    enabled: boolean,
    private readonly capacity = CREDENTIAL_CACHE_ENTRIES,
  ) {
    this.enabled = enabled;
  }

  /** Changes whenever an entry may have gone stale; pass the value read before a lookup to {@link keep}. */
  get generation(): number {
    return this.generationCount;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The answer kept for `username`, or undefined when there is none (ask the store). */
  get(username: string): CachedAnswer | undefined {
    const entry = this.entries.get(username);
    if (entry === undefined) return undefined;
    // Re-inserted: Map keeps insertion order, so the first key is the least recently used.
    this.entries.delete(username);
    this.entries.set(username, entry);
    return entry;
  }

  /** Keeps `entry`, unless the cache is off or something changed since `generation` was read. */
  keep(username: string, entry: CachedAnswer, generation: number): void {
    if (!this.enabled || generation !== this.generationCount) return;
    this.entries.delete(username);
    this.entries.set(username, entry);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string);
  }

  forget(username: string): void {
    this.generationCount++;
    this.entries.delete(username);
  }

  /** On: entries are kept again. Off: emptied, and nothing is kept until switched on. */
  switch(on: boolean): void {
    this.generationCount++;
    this.entries.clear();
    this.enabled = on;
  }
}
