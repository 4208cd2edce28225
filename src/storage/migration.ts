import type { Database } from 'better-sqlite3';

/**
 * One schema change of a feature's tables. Versions are per scope (the owning feature), start
 * at 1 and never change once released; add a new migration instead of editing an old one.
 */
export interface Migration {
  version: number;
  description: string;
  up: string | ((db: Database) => void);
}
