import type { Clock } from '#src/common/clock.js';
import { AddressSet } from './address-set.js';

export interface IpAbuseLimits {
  connectionsPerIpPerMin: number;
  authFailuresPerIpPerMin: number;
  banDurationMs: number;
  banExemptAddresses: readonly string[];
}

interface AddressRecord {
  windowStartMs: number;
  connections: number;
  authFailures: number;
  bannedUntilMs: number;
}

const WINDOW_MS = 60_000;
/** Addresses tracked at once; past it the oldest unbanned records are forgotten. */
const MAX_TRACKED = 100_000;

/**
 * Counts connections and failed authentications per remote address in one-minute windows and
 * bans an address that exceeds either (flapping, HOSTILE-INPUTS B8; brute force, D7), like
 * EMQX's flapping detection. Memory is bounded by {@link MAX_TRACKED}.
 */
export class IpAbuseTracker {
  private readonly records = new Map<string, AddressRecord>();
  private readonly exempt: AddressSet;

  constructor(
    private readonly limits: IpAbuseLimits,
    private readonly clock: Clock,
  ) {
    this.exempt = new AddressSet(limits.banExemptAddresses);
  }

  isBanned(address: string): boolean {
    const record = this.records.get(address);
    return record !== undefined && record.bannedUntilMs > this.clock.now();
  }

  /** Counts a new connection; returns false when this one pushes the address over its limit. */
  noteConnection(address: string): boolean {
    const record = this.current(address);
    record.connections++;
    return this.banIfOver(address, record, record.connections > this.limits.connectionsPerIpPerMin);
  }

  /** Counts a failed authentication; returns false when the address is now banned. */
  noteAuthFailure(address: string): boolean {
    const record = this.current(address);
    record.authFailures++;
    const limit = this.limits.authFailuresPerIpPerMin;
    return this.banIfOver(address, record, limit > 0 && record.authFailures > limit);
  }

  /** Addresses currently tracked (for tests and a gauge). */
  get trackedCount(): number {
    return this.records.size;
  }

  private banIfOver(address: string, record: AddressRecord, over: boolean): boolean {
    if (!over || this.exempt.has(address)) return true;
    record.bannedUntilMs = this.clock.now() + this.limits.banDurationMs;
    return false;
  }

  private current(address: string): AddressRecord {
    const now = this.clock.now();
    let record = this.records.get(address);
    if (record === undefined) {
      if (this.records.size >= MAX_TRACKED) this.evict(now);
      record = { windowStartMs: now, connections: 0, authFailures: 0, bannedUntilMs: 0 };
      this.records.set(address, record);
    } else if (now - record.windowStartMs >= WINDOW_MS) {
      record.windowStartMs = now;
      record.connections = 0;
      record.authFailures = 0;
    }
    return record;
  }

  /** Forgets the oldest unbanned addresses (Map order is insertion order). */
  private evict(now: number): void {
    for (const [address, record] of this.records) {
      if (this.records.size < MAX_TRACKED) break;
      if (record.bannedUntilMs <= now) this.records.delete(address);
    }
  }
}
