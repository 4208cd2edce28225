import BetterSqlite3, { type Database } from 'better-sqlite3';
import type { Migration } from './migration.js';

/**
 * Opens one of convoi's SQLite files the way every connection of the process uses it: WAL (readers
 * never block the writer), NORMAL sync (durable across process crashes in WAL mode; only an OS
 * crash can lose the last transactions), a busy timeout, transactions that take the write lock at
 * BEGIN ({@link takeWriteLockAtBegin}), and the table that records applied migrations.
 */
export function openSqliteFile(file: string): Database {
  const connection = new BetterSqlite3(file);
  connection.pragma('journal_mode = WAL');
  connection.pragma('synchronous = NORMAL');
  connection.pragma('foreign_keys = ON');
  connection.pragma('busy_timeout = 5000');
  takeWriteLockAtBegin(connection);
  connection.exec(
    `CREATE TABLE IF NOT EXISTS schema_migrations (
       scope TEXT NOT NULL, version INTEGER NOT NULL, description TEXT NOT NULL,
       applied_at INTEGER NOT NULL, PRIMARY KEY (scope, version))`,
  );
  return connection;
}

/**
 * Applies the migrations of one scope that are not applied yet, in version order, all in one
 * transaction: either the scope reaches its newest version or nothing changes. Returns the
 * version reached, or undefined when there was nothing to apply.
 */
export function migrateSqliteFile(
  connection: Database,
  scope: string,
  migrations: readonly Migration[],
): number | undefined {
  const applied = new Set(
    connection
      .prepare<[string], { version: number }>('SELECT version FROM schema_migrations WHERE scope = ?')
      .all(scope)
      .map((r) => r.version),
  );
  const pending = [...migrations]
    .filter((m) => !applied.has(m.version))
    .sort((a, b) => a.version - b.version);
  if (pending.length === 0) return undefined;
  const record = connection.prepare(
    'INSERT INTO schema_migrations (scope, version, description, applied_at) VALUES (?, ?, ?, ?)',
  );
  connection.transaction(() => {
    for (const m of pending) {
      if (typeof m.up === 'string') connection.exec(m.up);
      else m.up(connection);
      record.run(scope, m.version, m.description, Date.now());
    }
  })();
  return pending[pending.length - 1].version;
}

/** True while the connection answers a trivial query (health check). */
export function answers(connection: Database): boolean {
  try {
    return connection.prepare('SELECT 1 AS ok').get() !== undefined;
  } catch {
    return false;
  }
}

/**
 * Makes every transaction of the connection BEGIN IMMEDIATE. Another connection may write to the
 * same file (a thread's, or an operator's tool): a deferred transaction that reads, then writes
 * after that one committed, fails at once with SQLITE_BUSY (its snapshot is stale, and SQLite
 * does not wait in that case); one that takes the write lock at BEGIN waits its turn instead.
 */
function takeWriteLockAtBegin(connection: Database): void {
  const transaction = connection.transaction.bind(connection);
  connection.transaction = ((fn: Parameters<Database['transaction']>[0]) =>
    // The variants are free functions (better-sqlite3 binds none of them to an object).
    // eslint-disable-next-line @typescript-eslint/unbound-method
    transaction(fn).immediate) as Database['transaction'];
}
