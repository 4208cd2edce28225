/** True when `err` is a better-sqlite3 constraint failure of that kind (e.g. `FOREIGNKEY`). */
export function isConstraintError(
  err: unknown,
  kind: 'PRIMARYKEY' | 'UNIQUE' | 'FOREIGNKEY' | 'CHECK',
): boolean {
  return (
    typeof err === 'object' &&
    err !== null &&
    (err as { code?: unknown }).code === `SQLITE_CONSTRAINT_${kind}`
  );
}
