import assert from 'node:assert/strict';
import { beforeEach, it } from 'node:test';
import { describeEachStore } from '#test/support/store-dialects.js';
import { openFleetStore, type FleetStore } from '#test/support/fleet-store.js';
import { ContainersRepository } from './containers.repository.js';
import { sql } from 'kysely';
import { CONTAINER_CACHE_SIZE, REGISTRY_PAGE_SIZE } from './container-registry.js';
import type { FleetRepository } from './fleet.repository.js';

/**
 * FleetRepository.findContainer (cached on SQLite, every entry kept on PostgreSQL) seen through
 * every write path, on both stores.
 */
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

  /** Renames a container behind the registry's back, as another node's write not yet announced. */
  const renameUnannounced = (id: string, label: string) =>
    fleet.db.updateTable('containers').set({ label }).where('id', '=', id).execute();

  it('keeps every container on PostgreSQL once loaded, in pages; on SQLite only what was read', async () => {
    const n = REGISTRY_PAGE_SIZE + 10;
    const ids = Array.from({ length: n }, (_, i) => `C${String(i).padStart(5, '0')}`);
    await seed({ containers: ids.map((id) => ({ id, kind: 'pallet' as const, label: 'seeded' })) });
    fleet.cacheWhile(true);
    await fleet.containersLoaded();
    await renameUnannounced(ids[0], 'behind');
    await renameUnannounced(ids[n - 1], 'behind');
    const whole = current().dialect === 'postgres';
    for (const id of [ids[0], ids[n - 1]])
      assert.equal((await fleet.findContainer(id))?.label, whole ? 'seeded' : 'behind', id);
    // A small import drops only what it wrote: no reload, which would read the unannounced rename.
    await seed({ containers: [{ id: ids[1], kind: 'pallet', label: 'imported' }] });
    await fleet.containersLoaded();
    assert.equal((await fleet.findContainer(ids[1]))?.label, 'imported');
    assert.equal((await fleet.findContainer(ids[n - 1]))?.label, whole ? 'seeded' : 'behind');
    // The announcement of the write arrives: the entry is read again.
    fleet.forgetContainer(ids[0]);
    assert.equal((await fleet.findContainer(ids[0]))?.label, 'behind');
    // Other nodes unheard: nothing kept, not even what was loaded.
    fleet.cacheWhile(false);
    assert.equal((await fleet.findContainer(ids[n - 1]))?.label, 'behind');
  });

  it('does not keep from a page of the load a container written while the page was read', async () => {
    if (current().dialect === 'sqlite') return; // no load: one node, every write its own
    await seed({ containers: ['C1', 'C2'].map((id) => ({ id, kind: 'pallet' as const, label: 'seeded' })) });
    fleet.cacheWhile(false);
    await fleet.db.transaction().execute(async (trx) => {
      // The page's SELECT waits for this lock: the write below is announced while it is in flight.
      await sql`LOCK TABLE containers IN ACCESS EXCLUSIVE MODE`.execute(trx);
      fleet.cacheWhile(true);
      for (let tries = 0; ; tries++) {
        const { rows } = await sql<{ waiting: number }>`
          SELECT count(*)::int AS waiting FROM pg_stat_activity
          WHERE wait_event_type = 'Lock' AND query LIKE '%containers%'`.execute(fleet.db);
        if (rows[0].waiting > 0) break;
        assert.ok(tries < 200, 'the load never asked for a page');
        await new Promise((r) => setTimeout(r, 10));
      }
      fleet.forgetContainer('C1');
    });
    await fleet.containersLoaded();
    await renameUnannounced('C1', 'behind');
    await renameUnannounced('C2', 'behind');
    assert.equal((await fleet.findContainer('C1'))?.label, 'behind', 'read again');
    assert.equal((await fleet.findContainer('C2'))?.label, 'seeded', 'kept from the page');
  });
});
