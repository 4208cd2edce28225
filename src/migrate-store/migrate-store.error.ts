/**
 * Why `convoi migrate-store` stops before or while moving a store: a running convoi, a missing
 * file, a target that already holds rows, a schema that differs. Its message is meant for the
 * operator as it is (no stack trace); the command exits non-zero.
 */
export class MigrateStoreError extends Error {
  override readonly name = 'MigrateStoreError';
}
