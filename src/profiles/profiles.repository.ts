import { Injectable, OnModuleInit } from '@nestjs/common';
import type { Kysely } from 'kysely';
import { OperationalDatabase } from '#src/storage/operational-database.js';
import type { ProductProfile } from './product-profile.js';
import { PROFILES_MIGRATIONS, PROFILES_SCOPE } from './profiles.migrations.js';

/** A profile as stored: the profile fields with any planner-chosen id. */
export type StoredProfile = Omit<ProductProfile, 'id'> & { id: string; seeded: boolean };

/** The profiles table, as Kysely sees it (profiles.migrations.ts creates it). Times in epoch ms. */
type ProfilesTables = {
  profiles: {
    id: string;
    /** JSON of the profile's fields. */
    body: string;
    /**
     * 1 or 0 as written (better-sqlite3 binds no booleans; PostgreSQL's BOOLEAN takes '1' and '0'),
     * read back as 1 or 0 from SQLite, true or false from PostgreSQL.
     */
    seeded: number | boolean;
    created_at: number;
    updated_at: number;
  };
};

/**
 * Access to the profiles table in the operational store (SQLite or PostgreSQL, one query for
 * both; scope `profiles`). On either store the shipments table references it.
 */
@Injectable()
export class ProfilesRepository implements OnModuleInit {
  private readonly db: Kysely<ProfilesTables>;
  private migration: Promise<void> | undefined;

  constructor(private readonly store: OperationalDatabase) {
    this.db = store.db.withTables<ProfilesTables>();
  }

  async onModuleInit(): Promise<void> {
    await this.migrated();
  }

  /**
   * Resolves once the table is migrated (migrates it on the first call). The shipments' scope
   * calls it before its own: on PostgreSQL its foreign key needs this table.
   */
  migrated(): Promise<void> {
    return (this.migration ??= this.store.migrate(PROFILES_SCOPE, PROFILES_MIGRATIONS));
  }

  /**
   * True when other nodes may change the table too (PostgreSQL): what this node keeps in memory
   * must then be read again now and then.
   */
  get shared(): boolean {
    return this.store.dialect === 'postgres';
  }

  /** Writes the seeded profiles (their figures follow the code release); planners' ones untouched. */
  async seed(profiles: readonly ProductProfile[], nowMs: number): Promise<void> {
    if (profiles.length === 0) return;
    await this.db
      .insertInto('profiles')
      .values(
        profiles.map((p) => ({
          id: p.id,
          body: JSON.stringify(p),
          seeded: 1,
          created_at: nowMs,
          updated_at: nowMs,
        })),
      )
      .onConflict((oc) =>
        oc
          .column('id')
          .doUpdateSet((eb) => ({ body: eb.ref('excluded.body'), updated_at: eb.ref('excluded.updated_at') }))
          .where('profiles.seeded', '=', 1)
          .whereRef('profiles.body', '<>', 'excluded.body'),
      )
      .execute();
  }

  async find(id: string): Promise<StoredProfile | undefined> {
    const row = await this.db.selectFrom('profiles').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toProfile(row) : undefined;
  }

  /** Every profile, by id: there are tens of them, a few hundred at most. */
  async all(): Promise<StoredProfile[]> {
    const rows = await this.db.selectFrom('profiles').selectAll().orderBy('id').execute();
    return rows.map(toProfile);
  }

  /** Profiles ordered by id, strictly after `afterId` (keyset pagination). */
  async list(afterId: string | undefined, limit: number): Promise<StoredProfile[]> {
    const rows = await this.db
      .selectFrom('profiles')
      .selectAll()
      .where('id', '>', afterId ?? '')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map(toProfile);
  }

  /** Inserts a planner's profile; rejects with a unique violation when the id is taken. */
  async insert(profile: StoredProfile, nowMs: number): Promise<void> {
    await this.db
      .insertInto('profiles')
      .values({
        id: profile.id,
        body: JSON.stringify(bodyOf(profile)),
        seeded: 0,
        created_at: nowMs,
        updated_at: nowMs,
      })
      .execute();
  }

  async update(profile: StoredProfile, nowMs: number): Promise<void> {
    await this.db
      .updateTable('profiles')
      .set({ body: JSON.stringify(bodyOf(profile)), updated_at: nowMs })
      .where('id', '=', profile.id)
      .where('seeded', '=', 0)
      .execute();
  }

  /** Deletes a planner's profile; rejects with a foreign-key violation while shipments name it. */
  async delete(id: string): Promise<void> {
    await this.db.deleteFrom('profiles').where('id', '=', id).where('seeded', '=', 0).execute();
  }
}

function bodyOf(profile: StoredProfile): Omit<StoredProfile, 'seeded'> {
  const { seeded: _seeded, ...body } = profile;
  return body;
}

function toProfile(r: ProfilesTables['profiles']): StoredProfile {
  return {
    ...(JSON.parse(r.body) as Omit<StoredProfile, 'seeded'>),
    id: r.id,
    seeded: r.seeded === 1 || r.seeded === true,
  };
}
