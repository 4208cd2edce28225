import BetterSqlite3, { type Database } from 'better-sqlite3';
import { join } from 'node:path';

/** How long a starting convoi waits for another one (a rolling restart) to let go of the inbox. */
const WAIT_FOR_OWNER_MS = 30_000;
const LOCK_FILE = 'owner.lock';

/**
 * Makes this process the inbox directory's only writer until {@link InboxOwnerLock.release}. Two
 * convoi processes on one DATA_DIR (a restart that overlaps the old process's shutdown, a second
 * instance by mistake) would otherwise both append, and one's start-up recovery could cut the
 * other's last record as torn. SQLite's file lock does the work: the kernel releases it when its
 * process dies, however it dies, so a crash never leaves a stale lock behind.
 */
export class InboxOwnerLock {
  private constructor(private readonly db: Database) {}

  static acquire(dir: string, waitMs = WAIT_FOR_OWNER_MS): InboxOwnerLock {
    const db = new BetterSqlite3(join(dir, LOCK_FILE), { timeout: waitMs });
    try {
      // Held from BEGIN EXCLUSIVE until the connection closes, not only until the transaction ends.
      db.pragma('locking_mode = EXCLUSIVE');
      db.exec('BEGIN EXCLUSIVE');
      return new InboxOwnerLock(db);
    } catch (err) {
      db.close();
      if ((err as { code?: string }).code !== 'SQLITE_BUSY') throw err;
      throw new Error(
        `${dir} is in use by another convoi process (waited ${waitMs / 1000} s for it): ` +
          'two processes must not share a DATA_DIR',
        { cause: err },
      );
    }
  }

  release(): void {
    if (this.db.open) this.db.close();
  }
}
