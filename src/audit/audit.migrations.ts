import type { Migration } from '#src/storage/migration.js';

/** Migration scope of the audit log. */
export const AUDIT_SCOPE = 'audit';

/**
 * The audit log is append-only: triggers refuse every UPDATE, and every DELETE unless the
 * retention purge opened the gate in the same transaction. This does not stop someone holding
 * the database file; it stops any code path of convoi from rewriting history by mistake.
 */
export const AUDIT_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'append-only audit log and its purge gate',
    up: `
      CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, actor TEXT NOT NULL,
        action TEXT NOT NULL, method TEXT NOT NULL, path TEXT NOT NULL, target TEXT,
        status INTEGER NOT NULL);
      CREATE INDEX audit_log_at ON audit_log(at);
      CREATE INDEX audit_log_target ON audit_log(target, id);
      CREATE INDEX audit_log_actor ON audit_log(actor, id);
      CREATE TABLE audit_purge_gate (id INTEGER PRIMARY KEY CHECK (id = 1), open INTEGER NOT NULL);
      INSERT INTO audit_purge_gate (id, open) VALUES (1, 0);
      CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
      CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        WHEN (SELECT open FROM audit_purge_gate WHERE id = 1) = 0
        BEGIN SELECT RAISE(ABORT, 'audit_log entries are only deleted by the retention purge'); END;
    `,
  },
];
