import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig } from '#src/app-settings.js';
import { SqliteDatabase } from '#src/storage/sqlite-database.js';
import { openFleetStore, sqliteStore, type FleetStore } from '#test/support/fleet-store.js';
import { DeviceDirectory } from './device-directory.service.js';
import type { FleetRepository } from './fleet.repository.js';

describe(DeviceDirectory.name, () => {
  let dir: string;
  let db: SqliteDatabase;
  let fleet: FleetRepository;
  let seed: FleetStore['seed'];
  let directory: DeviceDirectory;

  // The index's own logic, on SQLite: the queries it runs are the fleet repository's, tested on both stores.
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'device-directory-'));
    db = new SqliteDatabase(defaultConfig({ DATA_DIR: dir }));
    ({ fleet, seed } = await openFleetStore(sqliteStore(db)));
    await seed({
      containers: ['C1', 'C2', 'C3'].map((id) => ({ id, kind: 'reefer' as const, label: id })),
      devices: [
        { id: 'D1', format: 'json' },
        { id: 'L1', format: 'chirpstack', devEui: '0004a30b001c0530', model: 'm' },
      ],
    });
    directory = new DeviceDirectory(fleet);
  });

  afterEach(async () => {
    await db.onApplicationShutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds devices by id and by DevEUI, with every field', async () => {
    await directory.onModuleInit();
    assert.deepStrictEqual(directory.byId('D1'), { id: 'D1', format: 'json' });
    assert.deepStrictEqual(directory.byDevEui('0004A30B001C0530'), {
      id: 'L1',
      format: 'chirpstack',
      devEui: '0004a30b001c0530',
      model: 'm',
    });
    assert.equal(directory.byId('nope'), undefined);
  });

  it('attributes a time to the container of the binding that covers it', async () => {
    await fleet.bindDevice('D1', 'C1', 0);
    await directory.reload();
    assert.equal(directory.containerAt('D1', 5), 'C1');
    await fleet.bindDevice('D1', 'C2', 100);
    await fleet.bindDevice('D1', 'C3', 200);
    await directory.reload();
    assert.deepEqual(
      [0, 99, 100, 199, 200, 10_000].map((t) => directory.containerAt('D1', t)),
      ['C1', 'C1', 'C2', 'C2', 'C3', 'C3'],
    );
  });

  it('attributes nothing before a first binding, after an unbind, or to an unbound device', async () => {
    await fleet.bindDevice('L1', 'C1', 100);
    db.connection.prepare('UPDATE device_bindings SET unbound_at = 200').run();
    await directory.reload();
    assert.deepEqual(
      [99, 100, 199, 200].map((t) => directory.containerAt('L1', t)),
      [undefined, 'C1', 'C1', undefined],
    );
    assert.equal(directory.containerAt('D1', 100), undefined);
  });
  it('attributes the device found last by its bindings of now, after a refresh or a reload', async () => {
    // containerAt reuses the entry byId or byDevEui just found: a change must not leave it stale.
    await fleet.bindDevice('D1', 'C1', 0);
    await fleet.bindDevice('L1', 'C1', 0);
    await directory.reload();
    assert.equal(directory.byId('D1')?.id, 'D1');
    await fleet.bindDevice('D1', 'C2', 100);
    await directory.refresh('D1');
    assert.equal(directory.containerAt('D1', 150), 'C2');
    assert.equal(directory.byDevEui('0004a30b001c0530')?.id, 'L1');
    assert.equal(directory.containerAt('L1', 150), 'C1');
    await fleet.bindDevice('L1', 'C3', 100);
    await directory.reload();
    assert.equal(directory.containerAt('L1', 150), 'C3');
    // Another device than the one found last is looked up, not given its entry.
    assert.equal(directory.byId('D1')?.id, 'D1');
    assert.equal(directory.containerAt('L1', 150), 'C3');
    assert.equal(directory.containerAt('D2', 150), undefined);
  });

  it('gives the covering binding itself, the same object reading after reading until a refresh', async () => {
    await fleet.bindDevice('D1', 'C1', 0);
    await fleet.bindDevice('D1', 'C2', 100);
    await directory.reload();
    const first = directory.bindingAt('D1', 150);
    assert.equal(first?.containerId, 'C2');
    assert.equal(directory.bindingAt('D1', 160), first, 'what the pipeline keeps on it stays');
    assert.equal(directory.bindingAt('D1', 50)?.containerId, 'C1');
    assert.equal(directory.bindingAt('D1', -1), undefined);
    await directory.refresh('D1');
    assert.notEqual(directory.bindingAt('D1', 150), first, 'a refreshed binding starts without');
    assert.equal(directory.bindingAt('D1', 150)?.state, undefined);
  });

  it('refreshes one device exactly as a reload of all of them would find it', async () => {
    const ids = ['D1', 'D2', 'D3'];
    const euis = ['0004a30b001c0001', '0004a30b001c0002'];
    const op = fc.oneof(
      fc.record({
        kind: fc.constant('upsert' as const),
        id: fc.constantFrom(...ids),
        eui: fc.option(fc.constantFrom(...euis)),
      }),
      fc.record({ kind: fc.constant('delete' as const), id: fc.constantFrom(...ids) }),
      fc.record({
        kind: fc.constant('bind' as const),
        id: fc.constantFrom(...ids),
        container: fc.constantFrom('C1', 'C2', 'C3'),
      }),
      fc.record({ kind: fc.constant('unbind' as const), id: fc.constantFrom(...ids) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 25 }), async (ops) => {
        db.connection.exec("DELETE FROM device_bindings; DELETE FROM devices WHERE id <> 'L1'");
        const refreshed = new DeviceDirectory(fleet);
        const reloaded = new DeviceDirectory(fleet);
        const removed: [string[], string[]] = [[], []];
        refreshed.onRemoved((d) => removed[0].push(`${d.id}/${d.devEui}`));
        reloaded.onRemoved((d) => removed[1].push(`${d.id}/${d.devEui}`));
        await refreshed.reload();
        await reloaded.reload();
        let t = 0;
        for (const o of ops) {
          t += 10;
          try {
            if (o.kind === 'upsert')
              await seed(
                { devices: [{ id: o.id, format: 'chirpstack', ...(o.eui && { devEui: o.eui }) }] },
                t,
              );
            else if (o.kind === 'delete') db.connection.prepare('DELETE FROM devices WHERE id = ?').run(o.id);
            else if (o.kind === 'bind') await fleet.bindDevice(o.id, o.container, t);
            else
              db.connection
                .prepare(
                  'UPDATE device_bindings SET unbound_at = ? WHERE device_id = ? AND unbound_at IS NULL',
                )
                .run(t, o.id);
          } catch {
            continue; // refused by the database (a DevEUI taken, a device with bindings): nothing changed
          }
          await refreshed.refresh(o.id);
          await reloaded.reload();
          for (const id of [...ids, 'L1']) {
            assert.deepStrictEqual(refreshed.byId(id), reloaded.byId(id));
            for (let at = 0; at <= t + 10; at += 5)
              assert.equal(refreshed.containerAt(id, at), reloaded.containerAt(id, at));
          }
          for (const eui of [...euis, '0004a30b001c0530'])
            assert.deepStrictEqual(refreshed.byDevEui(eui), reloaded.byDevEui(eui));
          assert.deepStrictEqual(removed[0], removed[1]);
        }
      }),
      { numRuns: 200 },
    );
  });
});
