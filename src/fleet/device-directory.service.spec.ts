import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppConfig } from '#src/config/app-config.js';
import { SqliteDatabase } from '#src/storage/sqlite-database.js';
import { DeviceDirectory } from './device-directory.service.js';
import { FleetRepository } from './fleet.repository.js';

describe(DeviceDirectory.name, () => {
  let dir: string;
  let db: SqliteDatabase;
  let fleet: FleetRepository;
  let directory: DeviceDirectory;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'device-directory-'));
    db = new SqliteDatabase(Object.assign(new AppConfig(), { DATA_DIR: dir }));
    fleet = new FleetRepository(db);
    fleet.onModuleInit();
    for (const id of ['C1', 'C2', 'C3']) fleet.upsertContainer({ id, kind: 'reefer', label: id }, 0);
    fleet.upsertDevice({ id: 'D1', format: 'json' }, 0);
    fleet.upsertDevice({ id: 'L1', format: 'chirpstack', devEui: '0004a30b001c0530', model: 'm' }, 0);
    directory = new DeviceDirectory(fleet);
  });

  afterEach(async () => {
    await db.onApplicationShutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds devices by id and by DevEUI, with every field', () => {
    directory.onModuleInit();
    assert.deepStrictEqual(directory.byId('D1'), { id: 'D1', format: 'json' });
    assert.deepStrictEqual(directory.byDevEui('0004A30B001C0530'), {
      id: 'L1',
      format: 'chirpstack',
      devEui: '0004a30b001c0530',
      model: 'm',
    });
    assert.equal(directory.byId('nope'), undefined);
  });

  it('attributes a time to the container of the binding that covers it', () => {
    fleet.bindDevice('D1', 'C1', 0);
    directory.reload();
    assert.equal(directory.containerAt('D1', 5), 'C1');
    fleet.bindDevice('D1', 'C2', 100);
    fleet.bindDevice('D1', 'C3', 200);
    directory.reload();
    assert.deepEqual(
      [0, 99, 100, 199, 200, 10_000].map((t) => directory.containerAt('D1', t)),
      ['C1', 'C1', 'C2', 'C2', 'C3', 'C3'],
    );
  });

  it('attributes nothing before a first binding, after an unbind, or to an unbound device', () => {
    fleet.bindDevice('L1', 'C1', 100);
    db.connection.prepare('UPDATE device_bindings SET unbound_at = 200').run();
    directory.reload();
    assert.deepEqual(
      [99, 100, 199, 200].map((t) => directory.containerAt('L1', t)),
      [undefined, 'C1', 'C1', undefined],
    );
    assert.equal(directory.containerAt('D1', 100), undefined);
  });
});
