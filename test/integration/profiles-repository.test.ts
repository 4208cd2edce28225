import assert from 'node:assert/strict';
import { beforeEach, it } from 'node:test';
import { PRODUCT_PROFILES } from '#src/profiles/product-profiles.js';
import { ProfilesRepository, type StoredProfile } from '#src/profiles/profiles.repository.js';
import { isDuplicateKey } from '#src/storage/store-errors.js';
import { describeEachStore } from '#test/support/store-dialects.js';

const T0 = Date.UTC(2026, 10, 22, 6, 0, 0);
const CHILLED = PRODUCT_PROFILES['chilled-4'];

function planners(id: string, maxC = 5): StoredProfile {
  return { ...CHILLED, id, name: id, temperature: { minC: 0, maxC }, seeded: false };
}

describeEachStore(ProfilesRepository.name, (current) => {
  let repository: ProfilesRepository;

  beforeEach(async () => {
    repository = new ProfilesRepository(current().store);
    await repository.onModuleInit();
  });

  it('seeds the ATP profiles, follows their figures on the next seed, and leaves planners’ own', async () => {
    await repository.seed([CHILLED, PRODUCT_PROFILES.frozen], T0);
    await repository.insert(planners('mine'), T0);
    assert.deepEqual(await repository.find('chilled-4'), { ...CHILLED, seeded: true });
    const release = { ...CHILLED, description: 'new wording' };
    // A release whose seed would name a planner's id: the planner's profile wins.
    const clash = { ...CHILLED, id: 'mine' as string } as typeof CHILLED;
    await repository.seed([release, clash], T0 + 1);
    assert.deepEqual(await repository.find('chilled-4'), { ...release, seeded: true });
    assert.deepEqual(
      await repository.find('mine'),
      planners('mine'),
      'a planner’s profile is never seeded over',
    );
    assert.equal(await repository.find('nothing'), undefined);
  });

  it('inserts, lists in byte order after a key, updates and deletes only planners’ profiles', async () => {
    await repository.seed([CHILLED], T0);
    for (const id of ['b-mine', 'B-mine', 'a-mine']) await repository.insert(planners(id), T0);
    await assert.rejects(repository.insert(planners('a-mine'), T0), (err) => isDuplicateKey(err));
    const ids = (rows: StoredProfile[]) => rows.map((p) => p.id);
    // Byte order on both stores (COLLATE "C" on PostgreSQL): upper case first.
    assert.deepEqual(ids(await repository.list(undefined, 10)), ['B-mine', 'a-mine', 'b-mine', 'chilled-4']);
    assert.deepEqual(ids(await repository.list('a-mine', 2)), ['b-mine', 'chilled-4']);
    assert.deepEqual(ids(await repository.all()), ['B-mine', 'a-mine', 'b-mine', 'chilled-4']);

    await repository.update(planners('a-mine', 8), T0 + 1);
    assert.deepEqual((await repository.find('a-mine'))?.temperature, { minC: 0, maxC: 8 });
    await repository.update({ ...CHILLED, temperature: { maxC: 30 }, seeded: false }, T0 + 1);
    assert.deepEqual((await repository.find('chilled-4'))?.temperature, CHILLED.temperature);

    await repository.delete('b-mine');
    await repository.delete('chilled-4');
    assert.deepEqual(ids(await repository.all()), ['B-mine', 'a-mine', 'chilled-4']);
  });
});
