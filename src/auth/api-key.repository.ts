import { Injectable, OnModuleInit } from '@nestjs/common';
import type { Statement } from 'better-sqlite3';
import { SqliteDatabase } from '#src/storage/sqlite-database.js';
import { API_KEY_MIGRATIONS, API_KEYS_SCOPE } from './api-key.migrations.js';
import type { ApiKey, ApiPrincipal, Role } from './api-key.types.js';

interface KeyRow {
  id: string;
  name: string;
  role: Role;
  key_hash: string;
  hint: string;
  created_at: number;
  created_by: string;
  revoked_at: number | null;
}

export interface NewApiKey {
  id: string;
  name: string;
  role: Role;
  keyHash: string;
  hint: string;
  createdBy: string;
}

/** Principals kept in memory at most; past it the cache starts over (keys are few in practice). */
export const PRINCIPAL_CACHE_SIZE = 1_000;

/**
 * SQL access to the api_keys table. Nothing else touches it, which is what makes the principal
 * cache safe: every write below empties it, so a revoked or re-hashed key is refused on its very
 * next request.
 */
@Injectable()
export class ApiKeyRepository implements OnModuleInit {
  private byHash?: Statement<[string], Pick<KeyRow, 'id' | 'name' | 'role'>>;
  /**
   * Principals of active keys by digest: every API request authenticates, and the indexed
   * SELECT was a tenth of a REST read's CPU. Unknown digests are not kept, so guessing keys
   * cannot fill it.
   */
  private readonly principals = new Map<string, ApiPrincipal>();

  constructor(private readonly sqlite: SqliteDatabase) {}

  onModuleInit(): void {
    this.sqlite.migrate(API_KEYS_SCOPE, API_KEY_MIGRATIONS);
  }

  private get db() {
    return this.sqlite.connection;
  }

  insert(key: NewApiKey, nowMs: number): ApiKey {
    this.db
      .prepare(
        `INSERT INTO api_keys (id, name, role, key_hash, hint, created_at, created_by)
         VALUES (@id, @name, @role, @keyHash, @hint, @now, @createdBy)`,
      )
      .run({ ...key, now: nowMs });
    this.principals.clear();
    return this.find(key.id)!;
  }

  /** The principal of an unrevoked key with that digest. */
  principalByHash(keyHash: string): ApiPrincipal | undefined {
    const cached = this.principals.get(keyHash);
    if (cached !== undefined) return cached;
    // Prepared once: every API request with a key not yet cached comes here.
    this.byHash ??= this.db.prepare<[string], Pick<KeyRow, 'id' | 'name' | 'role'>>(
      'SELECT id, name, role FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL',
    );
    const row = this.byHash.get(keyHash);
    if (row === undefined) return undefined;
    const principal: ApiPrincipal = Object.freeze({ keyId: row.id, name: row.name, role: row.role });
    if (this.principals.size >= PRINCIPAL_CACHE_SIZE) this.principals.clear();
    this.principals.set(keyHash, principal);
    return principal;
  }

  find(id: string): ApiKey | undefined {
    const row = this.db.prepare<[string], KeyRow>('SELECT * FROM api_keys WHERE id = ?').get(id);
    return row ? toApiKey(row) : undefined;
  }

  /** Keys ordered by id, strictly after `afterId` (keyset pagination). */
  list(afterId: string | undefined, limit: number): ApiKey[] {
    return this.db
      .prepare<[string, number], KeyRow>('SELECT * FROM api_keys WHERE id > ? ORDER BY id LIMIT ?')
      .all(afterId ?? '', limit)
      .map(toApiKey);
  }

  /** Marks the key revoked; false when it does not exist or was already revoked. */
  revoke(id: string, nowMs: number): boolean {
    const changed =
      this.db.prepare('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(nowMs, id)
        .changes > 0;
    this.principals.clear();
    return changed;
  }

  /** Replaces the digest of a key (the configured admin key changed between two starts). */
  replaceHash(id: string, keyHash: string, hint: string): void {
    this.db
      .prepare('UPDATE api_keys SET key_hash = ?, hint = ?, revoked_at = NULL WHERE id = ?')
      .run(keyHash, hint, id);
    this.principals.clear();
  }

  countActiveAdmins(): number {
    return this.db
      .prepare<[], { n: number }>(
        "SELECT COUNT(*) AS n FROM api_keys WHERE role = 'admin' AND revoked_at IS NULL",
      )
      .get()!.n;
  }
}

function toApiKey(r: KeyRow): ApiKey {
  return {
    id: r.id,
    name: r.name,
    role: r.role,
    hint: r.hint,
    createdAt: new Date(r.created_at).toISOString(),
    createdBy: r.created_by,
    ...(r.revoked_at !== null && { revokedAt: new Date(r.revoked_at).toISOString() }),
  };
}
