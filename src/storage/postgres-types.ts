import pg from 'pg';

/** PostgreSQL's type oid of int8 (BIGINT), from pg_type. */
const INT8_OID = 20;

/**
 * BIGINT (int8) columns as numbers rather than pg's default strings: they hold epoch ms and row
 * ids, far below 2^53, and SQLite gives numbers for the same columns. Every pool convoi opens on
 * the operational store uses it, so rows read back compare equal to SQLite's.
 */
export const POSTGRES_TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary'): unknown =>
    oid === INT8_OID && format !== 'binary'
      ? Number
      : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};
