import assert from 'node:assert/strict';
import { beforeEach, it } from 'node:test';
import { describeEachStore } from '#test/support/store-dialects.js';
import { openFleetStore, type FleetStore } from '#test/support/fleet-store.js';
import { ContainersRepository } from './containers.repository.js';
import { CONTAINER_CACHE_SIZE, type FleetRepository } from './fleet.repository.js';

/** FleetRepository.findContainer (cached on SQLite) seen through every write path, on both stores. */
describeEachStore(ContainersRepository.name, (current) => {
  let fleet: FleetRepository;
  let seed: FleetStore['seed'];
  let containers: ContainersRepository;

  beforeEach(async () => {
    ({ fleet, seed } = await openFleetStore(current().store));
    containers = new ContainersRepository(fleet);
  });

  it('reads a container frozen, and once while other nodes’ changes are heard', async () => {
    await containers.insert({ id: 'C1', kind: 'reefer', label: 'one' }, 1);
    const first = await fleet.findContainer('C1');
    assert.deepStrictEqual(first, { id: 'C1', kind: 'reefer', label: 'one' });
    assert.ok(Object.isFrozen(first));
    assert.equal(await fleet.findContainer('C1'), first, 'kept');
    // Changes of other nodes unheard (PostgreSQL's listening session lost): every read asks.
    fleet.cacheWhile(false);
    const asked = await fleet.findContainer('C1');
    assert.notEqual(asked, first);
    assert.notEqual(await fleet.findContainer('C1'), asked);
    fleet.cacheWhile(true);
    const kept = await fleet.findContainer('C1');
    assert.equal(await fleet.findContainer('C1'), kept);
  });

  it('sees every write: update, delete, re-create, seed import', async () => {
    await containers.insert({ id: 'C1', kind: 'reefer', label: 'one' }, 1);
    assert.equal((await fleet.findContainer('C1'))?.label, 'one');
    await containers.update({ id: 'C1', kind: 'reefer', label: 'two', notes: 'n' }, 2);
    assert.deepStrictEqual(await fleet.findContainer('C1'), {
      id: 'C1',
      kind: 'reefer',
      label: 'two',
      notes: 'n',
    });
    await containers.delete('C1');
    assert.equal(await fleet.findContainer('C1'), undefined);
    await containers.insert({ id: 'C1', kind: 'pallet', label: 'three' }, 3);
    assert.equal((await fleet.findContainer('C1'))?.kind, 'pallet');
    await seed({ containers: [{ id: 'C1', kind: 'pallet', label: 'four' }] });
    assert.equal((await fleet.findContainer('C1'))?.label, 'four');
  });

  it('keeps nothing of an import the store refuses', async () => {
    await assert.rejects(
      seed({
        containers: [
          { id: 'GHOST', kind: 'reefer', label: 'g' },
          { id: 'HOMELESS', kind: 'reefer', label: 'h', siteId: 'NO-SUCH-SITE' },
        ],
      }),
    );
    assert.equal(await fleet.findContainer('GHOST'), undefined);
    assert.equal(await containers.count(), 0);
  });

  it('keeps answering past its bound', async () => {
    const n = CONTAINER_CACHE_SIZE + 10;
    await seed({
      containers: Array.from({ length: n }, (_, i) => ({
        id: `C${i}`,
        kind: 'pallet' as const,
        label: `${i}`,
      })),
    });
    assert.equal(await containers.count(), n);
    for (let i = 0; i < n; i += current().dialect === 'sqlite' ? 1 : 97)
      assert.equal((await fleet.findContainer(`C${i}`))?.label, `${i}`);
    await containers.update({ id: 'C0', kind: 'pallet', label: 'changed' }, 2);
    assert.equal((await fleet.findContainer('C0'))?.label, 'changed');
    assert.equal((await fleet.findContainer(`C${n - 1}`))?.label, `${n - 1}`);
  });
});
