import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '#src/common/clock.js';
import type { Principal } from './principal.js';

interface Entry {
  digest: Buffer;
  principal: Principal;
  expiresAtMs: number;
}

/**
 * Remembers credentials that passed scrypt recently, so a reconnect storm of 10 000 devices
 * costs 10 000 HMACs instead of 10 000 scrypt runs. Holds only an HMAC of the secret under a
 * key born with this process, never the secret. Bounded (least recently used leaves first),
 * entries expire, and rotate/revoke forget the username at once.
 */
export class VerifiedCredentialCache {
  private readonly key = randomBytes(32);
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly clock: Clock,
    private readonly maxEntries = 200_000,
    private readonly ttlMs = 15 * 60_000,
  ) {}

  /** The principal when `password` is the one verified for `username`, else undefined. */
  lookup(username: string, password: Buffer): Principal | undefined {
    const entry = this.entries.get(username);
    if (entry === undefined) return undefined;
    if (entry.expiresAtMs <= this.clock.now()) {
      this.entries.delete(username);
      return undefined;
    }
    if (!timingSafeEqual(entry.digest, this.digest(username, password))) return undefined;
    // Move to the back: Map order is the eviction order.
    this.entries.delete(username);
    this.entries.set(username, entry);
    return entry.principal;
  }

  remember(username: string, password: Buffer, principal: Principal): void {
    this.entries.delete(username);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
    this.entries.set(username, {
      digest: this.digest(username, password),
      principal,
      expiresAtMs: this.clock.now() + this.ttlMs,
    });
  }

  forget(username: string): void {
    this.entries.delete(username);
  }

  get size(): number {
    return this.entries.size;
  }

  private digest(username: string, password: Buffer): Buffer {
    return createHmac('sha256', this.key).update(username).update('\0').update(password).digest();
  }
}
