import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { Kysely } from 'kysely';
import { Clock } from '#src/common/clock.js';
import { OperationalDatabase } from '#src/storage/operational-database.js';
import { API_KEY_MIGRATIONS, API_KEYS_SCOPE } from './api-key.migrations.js';
import type { ApiKey, ApiPrincipal, Role } from './api-key.types.js';

interface KeyRow {
  id: string;
  name: string;
  role: Role;
  key_hash: string;
  hint: string;
  /** Epoch ms. */
  created_at: number;
  created_by: string;
  /** Epoch ms. */
  revoked_at: number | null;
}

/** The table as Kysely sees it (api-key.migrations.ts creates it). */
type ApiKeyTables = { api_keys: KeyRow };

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
 * Longest a cached principal is trusted, ms. This node's own writes empty the cache at once; a key
 * revoked through another node sharing the PostgreSQL store is refused here within this time.
 */
export const PRINCIPAL_TTL_MS = 5_000;

/**
 * A principal this close to the end of its time is read again in the background while it is still
 * served, so that a key in use never waits for the store: on PostgreSQL that read waited up to
 * 104 ms for a connection behind the state checkpoint's writes, every 5 s, for every request
 * arriving meanwhile.
 */
export const PRINCIPAL_REFRESH_AHEAD_MS = 1_000;

interface CachedPrincipal {
  principal: ApiPrincipal;
  /** Clock time (epoch ms) after which the store is asked again. */
  expiresAt: number;
}

/**
 * Access to the api_keys table in the operational store (SQLite or PostgreSQL, one query for
 * both). Nothing else on this node touches the table, which is what makes the principal cache
 * safe: every write below empties it, so a key revoked here is refused on its very next request.
 */
@Injectable()
export class ApiKeyRepository implements OnModuleInit {
  private readonly logger = new Logger(ApiKeyRepository.name);
  private readonly db: Kysely<ApiKeyTables>;
  /**
   * Principals of active keys by digest: every API request authenticates, and the indexed
   * SELECT was a tenth of a REST read's CPU (on PostgreSQL, a network round trip). Unknown
   * digests are not kept, so guessing keys cannot fill it.
   */
  private readonly principals = new Map<string, CachedPrincipal>();
  /** The read of each digest in flight: requests that need it meanwhile share it. */
  private readonly reads = new Map<string, Promise<ApiPrincipal | undefined>>();
  /** Bumped by every write: a read begun before one neither keeps nor shares what it read. */
  private generation = 0;

  constructor(
    private readonly store: OperationalDatabase,
    private readonly clock: Clock,
  ) {
    this.db = store.db.withTables<ApiKeyTables>();
  }

  async onModuleInit(): Promise<void> {
    await this.store.migrate(API_KEYS_SCOPE, API_KEY_MIGRATIONS);
  }

  async insert(key: NewApiKey, nowMs: number): Promise<ApiKey> {
    await this.db
      .insertInto('api_keys')
      .values({
        id: key.id,
        name: key.name,
        role: key.role,
        key_hash: key.keyHash,
        hint: key.hint,
        created_at: nowMs,
        created_by: key.createdBy,
        revoked_at: null,
      })
      .execute();
    this.forgetPrincipals();
    return (await this.find(key.id))!;
  }

  /**
   * The principal of an unrevoked key with that digest. A cached one is returned without
   * touching the store, so the request's check stays a map lookup.
   */
  async principalByHash(keyHash: string): Promise<ApiPrincipal | undefined> {
    const cached = this.principals.get(keyHash);
    const left = cached === undefined ? 0 : cached.expiresAt - this.clock.now();
    if (left <= 0) return this.read(keyHash);
    if (left <= PRINCIPAL_REFRESH_AHEAD_MS)
      this.read(keyHash).catch((err: unknown) => this.logger.warn({ err }, 'API key re-read failed'));
    return cached!.principal;
  }

  /** Reads a digest's principal, once for every request that needs it meanwhile. */
  private read(keyHash: string): Promise<ApiPrincipal | undefined> {
    let read = this.reads.get(keyHash);
    if (read === undefined) {
      const generation = this.generation;
      read = this.readFromStore(keyHash, generation).finally(() => {
        if (this.reads.get(keyHash) === read) this.reads.delete(keyHash);
      });
      this.reads.set(keyHash, read);
    }
    return read;
  }

  private async readFromStore(keyHash: string, generation: number): Promise<ApiPrincipal | undefined> {
    // Trusted from when the read began: what it found was true then, maybe not later.
    const readAt = this.clock.now();
    const row = await this.db
      .selectFrom('api_keys')
      .select(['id', 'name', 'role'])
      .where('key_hash', '=', keyHash)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    const current = generation === this.generation;
    if (row === undefined) {
      if (current) this.principals.delete(keyHash);
      return undefined;
    }
    const principal: ApiPrincipal = Object.freeze({ keyId: row.id, name: row.name, role: row.role });
    if (!current) return principal;
    if (this.principals.size >= PRINCIPAL_CACHE_SIZE) this.principals.clear();
    this.principals.set(keyHash, { principal, expiresAt: readAt + PRINCIPAL_TTL_MS });
    return principal;
  }

  /** After every write of the table: nothing read before it is kept or shared. */
  private forgetPrincipals(): void {
    this.generation++;
    this.principals.clear();
    this.reads.clear();
  }

  async find(id: string): Promise<ApiKey | undefined> {
    const row = await this.db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toApiKey(row) : undefined;
  }

  /** Keys ordered by id, strictly after `afterId` (keyset pagination). */
  async list(afterId: string | undefined, limit: number): Promise<ApiKey[]> {
    const rows = await this.db
      .selectFrom('api_keys')
      .selectAll()
      .where('id', '>', afterId ?? '')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map(toApiKey);
  }

  /** Marks the key revoked; false when it does not exist or was already revoked. */
  async revoke(id: string, nowMs: number): Promise<boolean> {
    const result = await this.db
      .updateTable('api_keys')
      .set({ revoked_at: nowMs })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    this.forgetPrincipals();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Replaces the digest of a key (the configured admin key changed between two starts). */
  async replaceHash(id: string, keyHash: string, hint: string): Promise<void> {
    await this.db
      .updateTable('api_keys')
      .set({ key_hash: keyHash, hint, revoked_at: null })
      .where('id', '=', id)
      .execute();
    this.forgetPrincipals();
  }

  async countActiveAdmins(): Promise<number> {
    const row = await this.db
      .selectFrom('api_keys')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('role', '=', 'admin')
      .where('revoked_at', 'is', null)
      .executeTakeFirstOrThrow();
    // PostgreSQL's COUNT is a BIGINT: a number here through the store's int8 parser, a string without it.
    return Number(row.n);
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
