import { Logger } from '@nestjs/common';
import type { StoreNotifications } from '#src/storage/store-notifications.js';
import { CREDENTIAL_CHANNEL } from './broker-auth.migrations.js';
import { VerifiedCredentialCache } from './verified-credential.cache.js';

/** Why a live session must end: its credential was revoked or rotated. */
export type CredentialChangeListener = (username: string, change: 'revoked' | 'rotated') => void;

/** A change of a credential row as the PostgreSQL trigger announces it (broker-auth.migrations.ts). */
interface AnnouncedChange {
  username: string;
  change: 'revoked' | 'rotated' | 'written';
}

/**
 * How this node learns that a credential changed, and what it does then: forget the row in its
 * memory of verified credentials ({@link cache}) and end the live sessions of a revoked or
 * rotated one (the listeners). On SQLite this node is the only writer: its own changes are all
 * there is. On PostgreSQL every insert or update is announced by NOTIFY to every node, this one
 * included, so a change takes effect everywhere at its commit plus the delivery (milliseconds);
 * while the LISTEN connection is down the memory is emptied and not used.
 */
export class CredentialChanges {
  private readonly logger = new Logger(CredentialChanges.name);
  private readonly listeners: CredentialChangeListener[] = [];
  /** What the store answered, kept while it can be trusted. */
  readonly cache: VerifiedCredentialCache;

  constructor(private readonly notifications: StoreNotifications) {
    // On PostgreSQL, memory is trusted only while the announcements arrive.
    this.cache = new VerifiedCredentialCache(!notifications.shared);
  }

  start(): Promise<void> {
    return this.notifications.subscribe(CREDENTIAL_CHANNEL, {
      message: (payload) => this.announced(payload),
      listening: () => this.cache.switch(true),
      lost: () => this.cache.switch(false),
    });
  }

  onChange(listener: CredentialChangeListener): void {
    this.listeners.push(listener);
  }

  /**
   * This node wrote `username`'s row: forgotten here at once; its sessions end here (SQLite) or
   * on every node when the announcement comes (PostgreSQL).
   */
  changedHere(username: string, change?: 'revoked' | 'rotated'): void {
    this.cache.forget(username);
    if (change !== undefined && !this.notifications.shared) this.notify(username, change);
  }

  private announced(payload: Record<string, unknown>): void {
    const change = payload as Partial<AnnouncedChange>;
    if (typeof change.username !== 'string') {
      this.logger.warn('Unreadable credential change announcement: every cached credential forgotten');
      this.cache.switch(true);
      return;
    }
    this.cache.forget(change.username);
    if (change.change === 'revoked' || change.change === 'rotated')
      this.notify(change.username, change.change);
  }

  private notify(username: string, change: 'revoked' | 'rotated'): void {
    for (const listener of this.listeners) listener(username, change);
  }
}
