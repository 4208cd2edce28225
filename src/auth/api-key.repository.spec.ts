import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { AppConfig } from '#src/config/app-config.js';
import { SqliteDatabase } from '#src/storage/sqlite-database.js';
import { ApiKeyRepository, PRINCIPAL_CACHE_SIZE } from './api-key.repository.js';
import { generateApiKey, hashApiKey } from './api-key.secret.js';

describe(ApiKeyRepository.name, () => {
  let dir: string;
  let db: SqliteDatabase;
  let repository: ApiKeyRepository;

  const insert = (id: string, key: string, role: 'viewer' | 'admin' = 'viewer') =>
    repository.insert(
      { id, name: `${id}-name`, role, keyHash: hashApiKey(key), hint: 'cv_…', createdBy: 't' },
      1,
    );

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'api-keys-'));
    db = new SqliteDatabase(Object.assign(new AppConfig(), { DATA_DIR: dir }));
    repository = new ApiKeyRepository(db);
    repository.onModuleInit();
  });

  afterEach(async () => {
    await db.onApplicationShutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  it('authenticates a key by its digest, from the cache after the first request', () => {
    const key = generateApiKey();
    insert('k-1', key);
    const first = repository.principalByHash(hashApiKey(key));
    assert.deepEqual(first, { keyId: 'k-1', name: 'k-1-name', role: 'viewer' });
    assert.equal(repository.principalByHash(hashApiKey(key)), first, 'the same cached principal');
    assert.ok(Object.isFrozen(first), 'requests share it: nobody may change it');
  });

  it('refuses a revoked key on its next request, though it was cached', () => {
    const key = generateApiKey();
    insert('k-1', key);
    assert.ok(repository.principalByHash(hashApiKey(key)));
    assert.equal(repository.revoke('k-1', 2), true);
    assert.equal(repository.principalByHash(hashApiKey(key)), undefined);
  });

  it('forgets the old digest when a key is re-hashed (configured admin key changed)', () => {
    const [before, after] = [generateApiKey(), generateApiKey()];
    insert('k-admin', before, 'admin');
    assert.ok(repository.principalByHash(hashApiKey(before)));
    repository.replaceHash('k-admin', hashApiKey(after), 'cv_…');
    assert.equal(repository.principalByHash(hashApiKey(before)), undefined);
    assert.equal(repository.principalByHash(hashApiKey(after))?.role, 'admin');
  });

  it('empties the cache on every write, an insert too', () => {
    const key = generateApiKey();
    insert('k-1', key);
    assert.ok(repository.principalByHash(hashApiKey(key)));
    insert('k-2', generateApiKey());
    db.connection.prepare('UPDATE api_keys SET revoked_at = 3 WHERE id = ?').run('k-1');
    assert.equal(repository.principalByHash(hashApiKey(key)), undefined, 'insert emptied the cache');
  });

  it('keeps authenticating past the cache bound', () => {
    const keys = Array.from({ length: PRINCIPAL_CACHE_SIZE + 5 }, () => generateApiKey());
    db.connection.transaction(() => keys.forEach((key, i) => insert(`k-${i}`, key)))();
    for (const [i, key] of keys.entries())
      assert.equal(repository.principalByHash(hashApiKey(key))?.keyId, `k-${i}`);
    assert.equal(repository.principalByHash(hashApiKey(generateApiKey())), undefined);
  });
});
