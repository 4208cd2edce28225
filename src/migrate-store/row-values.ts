import { MigrateStoreError } from './migrate-store.error.js';
import type { TargetColumn } from './postgres-target.js';

/**
 * A SQLite value as its PostgreSQL column takes it. SQLite stores booleans as 0/1 (readings'
 * door_open and late); anything else in such a column is refused rather than guessed. Integers,
 * reals and JSON text go as they are: pg sends them as text and the column's type parses it, so a
 * value the column cannot hold (a fraction in a BIGINT) fails the table's copy instead of changing.
 */
export function toTarget(value: unknown, column: TargetColumn, table: string): unknown {
  if (value === null || column.type !== 'boolean') return value;
  if (value === 0 || value === 1) return value === 1;
  throw new MigrateStoreError(
    `${table}.${column.name} holds ${JSON.stringify(value)}, which is not a boolean (0 or 1)`,
  );
}

/**
 * A value as both stores return the same one, for comparing rows: booleans as SQLite's 0/1,
 * everything else as read (numbers come back as numbers from both: BIGINT through
 * postgres-types.ts, DOUBLE PRECISION exactly, since PostgreSQL 12 prints the shortest exact form).
 */
export function comparable(value: unknown): unknown {
  return typeof value === 'boolean' ? (value ? 1 : 0) : value;
}
