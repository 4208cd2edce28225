import { isConstraintError } from './sqlite-errors.js';

/** PostgreSQL's SQLSTATE of a unique violation (Appendix A, class 23). */
const PG_UNIQUE_VIOLATION = '23505';

/**
 * True when `err` is a unique-constraint failure of the operational store, whichever the
 * dialect: better-sqlite3's `SQLITE_CONSTRAINT_UNIQUE` or pg's SQLSTATE 23505.
 */
export function isUniqueViolation(err: unknown): boolean {
  return (
    isConstraintError(err, 'UNIQUE') ||
    (typeof err === 'object' && err !== null && (err as { code?: unknown }).code === PG_UNIQUE_VIOLATION)
  );
}
