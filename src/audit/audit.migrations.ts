import type { StoreMigration } from '#src/storage/store-migration.js';

/** Migration scope of the audit log. */
export const AUDIT_SCOPE = 'audit';

/**
 * The audit log is append-only, enforced by the database on both dialects: triggers refuse every
 * UPDATE (and on PostgreSQL every TRUNCATE), and every DELETE unless the retention purge opened
 * the gate in the same transaction (it closes it before committing, so no other transaction
 * ever sees it open). This does not stop someone holding the database; it stops any code path of
 * convoi from rewriting history by mistake.
 */
export const AUDIT_MIGRATIONS: readonly StoreMigration[] = [
  {
    version: 1,
    description: 'append-only audit log and its purge gate',
    up: {
      sqlite: `
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
      postgres: `
        CREATE TABLE audit_log (
          id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, at BIGINT NOT NULL, actor TEXT NOT NULL,
          action TEXT NOT NULL, method TEXT NOT NULL, path TEXT NOT NULL, target TEXT,
          status INTEGER NOT NULL);
        CREATE INDEX audit_log_at ON audit_log(at);
        CREATE INDEX audit_log_target ON audit_log(target, id);
        CREATE INDEX audit_log_actor ON audit_log(actor, id);
        CREATE TABLE audit_purge_gate (id INTEGER PRIMARY KEY CHECK (id = 1), open INTEGER NOT NULL);
        INSERT INTO audit_purge_gate (id, open) VALUES (1, 0);
        CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF TG_OP = 'DELETE' THEN
            IF (SELECT open FROM audit_purge_gate WHERE id = 1) = 1 THEN RETURN OLD; END IF;
            RAISE EXCEPTION 'audit_log entries are only deleted by the retention purge'
              USING ERRCODE = 'integrity_constraint_violation';
          END IF;
          RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'integrity_constraint_violation';
        END $$;
        CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
          FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
        CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
          FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
        CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
          FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
      `,
    },
  },
];
