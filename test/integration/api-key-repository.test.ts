import assert from 'node:assert/strict';
import { beforeEach, it } from 'node:test';
import { sql } from 'kysely';
import {
  ApiKeyRepository,
  PRINCIPAL_CACHE_SIZE,
  PRINCIPAL_REFRESH_AHEAD_MS,
  PRINCIPAL_TTL_MS,
} from '#src/auth/api-key.repository.js';
import { generateApiKey, hashApiKey } from '#src/auth/api-key.secret.js';
import { ApiKeysService } from '#src/auth/api-keys.service.js';
import { AuthConfig } from '#src/auth/auth.config.js';
import { ManualClock } from '#src/common/clock.js';
import { defaultConfig } from '#src/app-settings.js';
import { describeEachStore } from '#test/support/store-dialects.js';
import { waitFor } from '#test/support/wait-for.js';

describeEachStore(ApiKeyRepository.name, (current) => {
  let clock: ManualClock;
  let repository: ApiKeyRepository;

  const insert = (id: string, key: string, role: 'viewer' | 'admin' = 'viewer', on = repository) =>
    on.insert({ id, name: `${id}-name`, role, keyHash: hashApiKey(key), hint: 'cv_…', createdBy: 't' }, 1);

  beforeEach(async () => {
    clock = new ManualClock();
    repository = new ApiKeyRepository(current().store, clock);
    await repository.onModuleInit();
  });

  it('stores the key hashed, reads it back, and lists by id after a cursor', async () => {
    const key = generateApiKey();
    const stored = await insert('k-b', key, 'admin');
    assert.deepEqual(stored, {
      id: 'k-b',
      name: 'k-b-name',
      role: 'admin',
      hint: 'cv_…',
      createdAt: new Date(1).toISOString(),
      createdBy: 't',
    });
    await insert('k-a', generateApiKey());
    await insert('k-c', generateApiKey());
    const raw = await sql<{ key_hash: string }>`SELECT key_hash FROM api_keys WHERE id = 'k-b'`.execute(
      current().store.db,
    );
    assert.equal(raw.rows[0].key_hash, hashApiKey(key));
    assert.ok(!JSON.stringify(raw.rows).includes(key), 'the key itself is never stored');
    assert.deepEqual(
      (await repository.list(undefined, 2)).map((k) => k.id),
      ['k-a', 'k-b'],
    );
    assert.deepEqual(
      (await repository.list('k-b', 2)).map((k) => k.id),
      ['k-c'],
    );
    assert.equal(await repository.find('k-z'), undefined);
  });

  it('authenticates a key by its digest, from the cache after the first request', async () => {
    const key = generateApiKey();
    await insert('k-1', key);
    const first = await repository.principalByHash(hashApiKey(key));
    assert.deepEqual(first, { keyId: 'k-1', name: 'k-1-name', role: 'viewer' });
    // Changed behind the repository's back: the cached principal is still served.
    await sql`UPDATE api_keys SET revoked_at = 2 WHERE id = 'k-1'`.execute(current().store.db);
    assert.equal(await repository.principalByHash(hashApiKey(key)), first, 'the same cached principal');
    assert.ok(Object.isFrozen(first), 'requests share it: nobody may change it');
  });

  it('refuses a revoked key on its next request, though it was cached', async () => {
    const key = generateApiKey();
    await insert('k-1', key);
    assert.ok(await repository.principalByHash(hashApiKey(key)));
    assert.equal(await repository.revoke('k-1', 2), true);
    assert.equal(await repository.principalByHash(hashApiKey(key)), undefined);
    assert.equal(await repository.revoke('k-1', 3), false, 'already revoked');
    assert.equal((await repository.find('k-1'))?.revokedAt, new Date(2).toISOString());
  });

  it('refuses a key revoked through another node once the cache time has passed', async () => {
    const other = new ApiKeyRepository(current().store, clock);
    const key = generateApiKey();
    await insert('k-1', key);
    assert.ok(await repository.principalByHash(hashApiKey(key)));
    assert.equal(await other.revoke('k-1', 2), true);
    clock.advance(PRINCIPAL_TTL_MS - 1);
    assert.ok(await repository.principalByHash(hashApiKey(key)), 'still trusted within the cache time');
    clock.advance(1);
    assert.equal(await repository.principalByHash(hashApiKey(key)), undefined);
  });

  it('reads a key in use again before its cache time ends, while still serving it', async () => {
    const key = generateApiKey();
    await insert('k-1', key);
    const first = await repository.principalByHash(hashApiKey(key));
    await sql`UPDATE api_keys SET name = 'renamed' WHERE id = 'k-1'`.execute(current().store.db);
    clock.advance(PRINCIPAL_TTL_MS - PRINCIPAL_REFRESH_AHEAD_MS);
    assert.equal(await repository.principalByHash(hashApiKey(key)), first, 'served while it is read again');
    // The re-read replaced it before the cache time ended (the clock stands still meanwhile).
    const again = await waitFor('the re-read principal', async () => {
      const principal = await repository.principalByHash(hashApiKey(key));
      return principal?.name === 'renamed' && principal;
    });
    clock.advance(PRINCIPAL_TTL_MS - 1);
    assert.equal(
      await repository.principalByHash(hashApiKey(key)),
      again,
      'trusted for a whole cache time from the re-read',
    );
  });

  it('asks the store once for the requests that need the same key at the same time', async () => {
    const key = generateApiKey();
    await insert('k-1', key);
    const [a, b, c] = await Promise.all([1, 2, 3].map(() => repository.principalByHash(hashApiKey(key))));
    assert.ok(a !== undefined && a === b && b === c, 'one read, one principal shared by all three');
  });

  it('forgets the old digest when a key is re-hashed (configured admin key changed)', async () => {
    const [before, after] = [generateApiKey(), generateApiKey()];
    await insert('k-admin', before, 'admin');
    assert.ok(await repository.principalByHash(hashApiKey(before)));
    await repository.replaceHash('k-admin', hashApiKey(after), 'cv_…');
    assert.equal(await repository.principalByHash(hashApiKey(before)), undefined);
    assert.equal((await repository.principalByHash(hashApiKey(after)))?.role, 'admin');
  });

  it('empties the cache on every write, an insert too', async () => {
    const key = generateApiKey();
    await insert('k-1', key);
    assert.ok(await repository.principalByHash(hashApiKey(key)));
    await insert('k-2', generateApiKey());
    await sql`UPDATE api_keys SET revoked_at = 3 WHERE id = 'k-1'`.execute(current().store.db);
    assert.equal(await repository.principalByHash(hashApiKey(key)), undefined, 'insert emptied the cache');
  });

  it('counts active admins only', async () => {
    await insert('k-1', generateApiKey(), 'admin');
    await insert('k-2', generateApiKey(), 'admin');
    await insert('k-3', generateApiKey());
    await repository.revoke('k-2', 2);
    assert.equal(await repository.countActiveAdmins(), 1);
  });

  it('refuses a second key with the same digest', async () => {
    const key = generateApiKey();
    await insert('k-1', key);
    await assert.rejects(insert('k-2', key), /unique|UNIQUE/);
  });

  it('keeps authenticating past the cache bound', async () => {
    const keys = Array.from({ length: PRINCIPAL_CACHE_SIZE + 5 }, () => generateApiKey());
    const rows = keys.map((key, i) => ({
      id: `k-${i}`,
      name: 'n',
      role: 'viewer' as const,
      key_hash: hashApiKey(key),
      hint: 'cv_…',
      created_at: 1,
      created_by: 't',
      revoked_at: null,
    }));
    await current()
      .store.db.withTables<{ api_keys: (typeof rows)[number] }>()
      .insertInto('api_keys')
      .values(rows)
      .execute();
    for (const [i, key] of keys.entries())
      assert.equal((await repository.principalByHash(hashApiKey(key)))?.keyId, `k-${i}`);
    assert.equal(await repository.principalByHash(hashApiKey(generateApiKey())), undefined);
  });
});

describeEachStore(ApiKeysService.name, (current) => {
  const start = async (adminKey: string | undefined) => {
    const repository = new ApiKeyRepository(current().store, new ManualClock());
    await repository.onModuleInit();
    const service = new ApiKeysService(
      repository,
      new AuthConfig(defaultConfig({ CONVOI_ADMIN_KEY: adminKey })),
      new ManualClock(),
    );
    await service.onApplicationBootstrap();
    return service;
  };

  it('stores the configured admin key hashed, and follows it when it changes between starts', async () => {
    const [first, second] = [generateApiKey(), generateApiKey()];
    assert.equal((await (await start(first)).authenticate(first))?.role, 'admin');
    const restarted = await start(second);
    assert.equal(await restarted.authenticate(first), undefined);
    assert.equal((await restarted.authenticate(second))?.keyId, 'k-configured-admin');
  });

  it('creates, lists, revokes keys, and refuses a revoked key at once', async () => {
    const service = await start(generateApiKey());
    const created = await service.create('planning', 'planner', 'admin');
    assert.equal((await service.authenticate(created.key))?.role, 'planner');
    assert.deepEqual((await service.list(undefined, 10)).items.map((k) => k.name).sort(), [
      'admin (CONVOI_ADMIN_KEY)',
      'planning',
    ]);
    await service.revoke(created.id);
    assert.equal(await service.authenticate(created.key), undefined);
    await assert.rejects(service.get('k-none'), /does not exist/);
  });
});
