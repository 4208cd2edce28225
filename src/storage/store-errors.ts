import { isConstraintError } from './sqlite-errors.js';

/** PostgreSQL's SQLSTATEs of integrity violations (Appendix A, class 23). */
const PG_UNIQUE_VIOLATION = '23505';
const PG_FOREIGN_KEY_VIOLATION = '23503';

function hasPgCode(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
}

/**
 * True when `err` is a unique-constraint failure of the operational store, whichever the
 * dialect: better-sqlite3's `SQLITE_CONSTRAINT_UNIQUE` or pg's SQLSTATE 23505.
 */
export function isUniqueViolation(err: unknown): boolean {
  return isConstraintError(err, 'UNIQUE') || hasPgCode(err, PG_UNIQUE_VIOLATION);
}

/**
 * True when `err` says a row's primary key or a unique column is taken. SQLite tells a primary
 * key (`SQLITE_CONSTRAINT_PRIMARYKEY`) from another unique index; PostgreSQL does not (23505).
 */
export function isDuplicateKey(err: unknown): boolean {
  return isUniqueViolation(err) || isConstraintError(err, 'PRIMARYKEY');
}

/**
 * True when `err` is a foreign-key failure, whichever the dialect: better-sqlite3's
 * `SQLITE_CONSTRAINT_FOREIGNKEY` or pg's SQLSTATE 23503.
 */
export function isForeignKeyViolation(err: unknown): boolean {
  return isConstraintError(err, 'FOREIGNKEY') || hasPgCode(err, PG_FOREIGN_KEY_VIOLATION);
}
