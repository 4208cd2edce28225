import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { AppConfig } from '#src/config/app-config.js';
import { SqliteDatabase } from '#src/storage/sqlite-database.js';
import { ContainersRepository } from './containers.repository.js';
import { CONTAINER_CACHE_SIZE, FleetRepository } from './fleet.repository.js';

/** The registry cache of FleetRepository.findContainer, seen through every write path. */
describe(ContainersRepository.name, () => {
  let dir: string;
  let db: SqliteDatabase;
  let fleet: FleetRepository;
  let containers: ContainersRepository;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'containers-repo-'));
    db = new SqliteDatabase(Object.assign(new AppConfig(), { DATA_DIR: dir }));
    fleet = new FleetRepository(db);
    fleet.onModuleInit();
    containers = new ContainersRepository(db, fleet);
  });

  afterEach(async () => {
    await db.onApplicationShutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads a container once, then from memory, frozen', () => {
    containers.insert({ id: 'C1', kind: 'reefer', label: 'one' }, 1);
    const first = fleet.findContainer('C1');
    assert.deepStrictEqual(first, { id: 'C1', kind: 'reefer', label: 'one' });
    assert.equal(fleet.findContainer('C1'), first);
    assert.ok(Object.isFrozen(first));
  });

  it('sees every write: update, delete, re-create, seed import', () => {
    containers.insert({ id: 'C1', kind: 'reefer', label: 'one' }, 1);
    assert.equal(fleet.findContainer('C1')?.label, 'one');
    containers.update({ id: 'C1', kind: 'reefer', label: 'two', notes: 'n' }, 2);
    assert.deepStrictEqual(fleet.findContainer('C1'), { id: 'C1', kind: 'reefer', label: 'two', notes: 'n' });
    containers.delete('C1');
    assert.equal(fleet.findContainer('C1'), undefined);
    containers.insert({ id: 'C1', kind: 'pallet', label: 'three' }, 3);
    assert.equal(fleet.findContainer('C1')?.kind, 'pallet');
    fleet.upsertContainer({ id: 'C1', kind: 'pallet', label: 'four' }, 4);
    assert.equal(fleet.findContainer('C1')?.label, 'four');
  });

  it('keeps nothing read inside a transaction that is rolled back', () => {
    assert.throws(() =>
      fleet.transaction(() => {
        fleet.upsertContainer({ id: 'GHOST', kind: 'reefer', label: 'g' }, 1);
        assert.ok(fleet.findContainer('GHOST'));
        throw new Error('import failed');
      }),
    );
    assert.equal(fleet.findContainer('GHOST'), undefined);
  });

  it('keeps answering past its bound', () => {
    const n = CONTAINER_CACHE_SIZE + 10;
    fleet.transaction(() => {
      for (let i = 0; i < n; i++) fleet.upsertContainer({ id: `C${i}`, kind: 'pallet', label: `${i}` }, 1);
    });
    for (let i = 0; i < n; i++) assert.equal(fleet.findContainer(`C${i}`)?.label, `${i}`);
    containers.update({ id: 'C0', kind: 'pallet', label: 'changed' }, 2);
    assert.equal(fleet.findContainer('C0')?.label, 'changed');
    assert.equal(fleet.findContainer(`C${n - 1}`)?.label, `${n - 1}`);
  });
});
