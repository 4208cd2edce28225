import { Injectable, OnModuleInit } from '@nestjs/common';
import { SqliteDatabase } from '#src/storage/sqlite-database.js';
import type { ProductProfile } from './product-profile.js';
import { PROFILES_MIGRATIONS } from './profiles.migrations.js';

/** A profile as stored: the profile fields with any planner-chosen id. */
export type StoredProfile = Omit<ProductProfile, 'id'> & { id: string; seeded: boolean };

interface ProfileRow {
  id: string;
  body: string;
  seeded: number;
}

/** SQL access to the profiles table (scope `profiles`). */
@Injectable()
export class ProfilesRepository implements OnModuleInit {
  constructor(private readonly sqlite: SqliteDatabase) {}

  onModuleInit(): void {
    this.sqlite.migrate('profiles', PROFILES_MIGRATIONS);
  }

  private get db() {
    return this.sqlite.connection;
  }

  /** Writes the seeded profiles (their figures follow the code release); planners' ones untouched. */
  seed(profiles: readonly ProductProfile[], nowMs: number): void {
    const upsert = this.db.prepare(
      `INSERT INTO profiles (id, body, seeded, created_at, updated_at) VALUES (?, ?, 1, ?, ?)
       ON CONFLICT(id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at
       WHERE profiles.seeded = 1 AND profiles.body <> excluded.body`,
    );
    this.db.transaction(() => {
      for (const p of profiles) upsert.run(p.id, JSON.stringify(p), nowMs, nowMs);
    })();
  }

  find(id: string): StoredProfile | undefined {
    const row = this.db.prepare<[string], ProfileRow>('SELECT * FROM profiles WHERE id = ?').get(id);
    return row ? toProfile(row) : undefined;
  }

  list(afterId: string | undefined, limit: number): StoredProfile[] {
    return this.db
      .prepare<[string, number], ProfileRow>('SELECT * FROM profiles WHERE id > ? ORDER BY id LIMIT ?')
      .all(afterId ?? '', limit)
      .map(toProfile);
  }

  /** Inserts a planner's profile; throws SQLITE_CONSTRAINT_PRIMARYKEY when the id is taken. */
  insert(profile: StoredProfile, nowMs: number): void {
    this.db
      .prepare('INSERT INTO profiles (id, body, seeded, created_at, updated_at) VALUES (?, ?, 0, ?, ?)')
      .run(profile.id, JSON.stringify(bodyOf(profile)), nowMs, nowMs);
  }

  update(profile: StoredProfile, nowMs: number): void {
    this.db
      .prepare('UPDATE profiles SET body = ?, updated_at = ? WHERE id = ? AND seeded = 0')
      .run(JSON.stringify(bodyOf(profile)), nowMs, profile.id);
  }

  /** Deletes a planner's profile; throws SQLITE_CONSTRAINT_FOREIGNKEY while shipments use it. */
  delete(id: string): void {
    this.db.prepare('DELETE FROM profiles WHERE id = ? AND seeded = 0').run(id);
  }
}

function bodyOf(profile: StoredProfile): Omit<StoredProfile, 'seeded'> {
  const { seeded: _seeded, ...body } = profile;
  return body;
}

function toProfile(r: ProfileRow): StoredProfile {
  return { ...(JSON.parse(r.body) as Omit<StoredProfile, 'seeded'>), id: r.id, seeded: r.seeded === 1 };
}
