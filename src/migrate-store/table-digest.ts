import { createHash } from 'node:crypto';
import { comparable } from './row-values.js';

const MOD_64 = 1n << 64n;

/**
 * The rows of a table reduced to their count and a digest: the sum, modulo 2^64, of each row's
 * SHA-256 (first 64 bits) over its values in column order. A sum does not depend on the order the
 * rows come in, so SQLite's and PostgreSQL's orders of text keys (bytewise or by collation) need
 * not agree; a row lost, added or with any value changed changes the digest.
 */
export class TableDigest {
  rows = 0;
  private sum = 0n;

  add(row: Record<string, unknown>, columns: readonly string[]): void {
    const values = columns.map((c) => comparable(row[c]));
    const hash = createHash('sha256').update(JSON.stringify(values)).digest();
    this.sum = (this.sum + hash.readBigUInt64BE(0)) % MOD_64;
    this.rows++;
  }

  /** The digest as 16 hex digits. */
  get value(): string {
    return this.sum.toString(16).padStart(16, '0');
  }

  equals(other: TableDigest): boolean {
    return this.rows === other.rows && this.sum === other.sum;
  }
}
