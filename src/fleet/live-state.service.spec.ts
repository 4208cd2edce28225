import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '#src/common/clock.js';
import { defaultConfig } from '#src/app-settings.js';
import type { Reading } from '#src/contracts/reading.js';
import { SqliteDatabase } from '#src/storage/sqlite-database.js';
import { StateCheckpoint } from '#src/storage/state-checkpoint.js';
import { openContainerStates } from '#src/state/container-states.testing.js';
import type { SqliteContainerStates } from '#src/state/sqlite-container-states.js';
import { sqliteMigrations } from '#src/storage/store-migration.js';
import { FLEET_MIGRATIONS } from './fleet.migrations.js';
import { LiveStateService } from './live-state.service.js';

const T = Date.UTC(2026, 10, 22, 8, 0, 0);

function reading(containerId: string, at: number, values: Partial<Reading> = {}): Reading {
  return {
    deviceId: `D-${containerId}`,
    containerId,
    measuredAt: at,
    receivedAt: at + 1000,
    source: 'json',
    dedupeKey: `${containerId}:${at}`,
    quality: { lagMs: 1000, late: false },
    ...values,
  };
}

describe(LiveStateService.name, () => {
  let dir: string;
  let db: SqliteDatabase;
  let service: LiveStateService;
  let checkpoint: StateCheckpoint;
  let states: SqliteContainerStates;

  // One partition: pages fill in the order containers come (the port spec covers several).
  const open = () => {
    checkpoint = new StateCheckpoint(db, new ManualClock(T));
    void checkpoint.onModuleInit(); // on SQLite, opened before it returns
    states = openContainerStates(db, new ManualClock(T), 1, checkpoint);
    return new LiveStateService(states);
  };
  // On SQLite everything is written before it returns.
  const shutdown = () => void states.beforeApplicationShutdown();
  const addContainers = (...ids: string[]) => {
    const insert = db.connection.prepare(
      "INSERT INTO containers (id, kind, label, created_at, updated_at) VALUES (?, 'reefer', ?, 0, 0)",
    );
    for (const id of ids) insert.run(id, id);
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'live-state-'));
    db = new SqliteDatabase(defaultConfig({ DATA_DIR: dir }));
    db.migrate('fleet', sqliteMigrations(FLEET_MIGRATIONS));
    addContainers('C1', 'C2');
    service = open();
  });

  afterEach(async () => {
    shutdown();
    await checkpoint.beforeApplicationShutdown();
    await db.onApplicationShutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps per measurement the value with the newest measuredAt, never the last received', () => {
    service.apply(reading('C1', T, { temperatureC: 3.5, humidityPct: 80, doorOpen: true }));
    service.apply(reading('C1', T - 60_000, { temperatureC: 9, batteryPct: 70, doorOpen: false }));
    service.apply(reading('C1', T + 60_000, { temperatureC: -0.5, shipmentId: 'S1' }));
    assert.deepEqual(service.get('C1'), {
      containerId: 'C1',
      lastMeasuredAt: T + 60_000,
      lastReceivedAt: T + 61_000,
      lastDeviceId: 'D-C1',
      shipmentId: 'S1',
      values: {
        temperatureC: { value: -0.5, measuredAt: T + 60_000 },
        humidityPct: { value: 80, measuredAt: T },
        // A late frame fills in a measurement nothing newer is known of.
        batteryPct: { value: 70, measuredAt: T - 60_000 },
        doorOpen: { value: true, measuredAt: T },
      },
    });
  });

  it('takes the shipment of the newest reading only', () => {
    service.apply(reading('C1', T, { temperatureC: 3, shipmentId: 'S2' }));
    service.apply(reading('C1', T - 1, { temperatureC: 3, shipmentId: 'S1' }));
    assert.equal(service.get('C1')?.shipmentId, 'S2');
    service.apply(reading('C1', T + 1, { temperatureC: 3 }));
    assert.equal(service.get('C1')?.shipmentId, undefined);
  });

  it('restores every state after a restart exactly as it was read before', () => {
    service.apply(reading('C1', T, { temperatureC: 3.25, lat: 45.123456789, lon: 5.1, doorOpen: false }));
    service.apply(reading('C2', T, { shockG: 12.5, altM: -3, shipmentId: 'S9' }));
    const before = [service.get('C1'), service.get('C2')];
    shutdown();
    service = open();
    assert.deepEqual([...service.lastSeenAll()].map((s) => s.containerId).sort(), ['C1', 'C2']);
    assert.deepEqual([service.get('C1'), service.get('C2')], before);
  });

  it('forgets a container: no state, and a reused slot carries nothing of it', () => {
    service.apply(reading('C1', T, { temperatureC: 3, batteryPct: 50, shipmentId: 'S1' }));
    service.forget('C1');
    assert.equal(service.get('C1'), undefined);
    service.apply(reading('C2', T - 5, { humidityPct: 60 }));
    assert.deepEqual(service.get('C2')?.values, { humidityPct: { value: 60, measuredAt: T - 5 } });
    assert.equal(service.get('C2')?.shipmentId, undefined);
    assert.deepEqual(
      [...service.lastSeenAll()],
      [{ containerId: 'C2', shipmentId: undefined, lastDeviceId: 'D-C2', lastSeen: { humidityPct: T - 5 } }],
    );
  });

  const pageRows = () =>
    (db.connection.prepare('SELECT count(*) AS n FROM state_pages').get() as { n: number }).n;

  it('writes only changed pages, and everything at shutdown', () => {
    const ids = Array.from({ length: 25_000 }, (_, i) => `C${i + 3}`);
    addContainers(...ids);
    for (const id of ids) service.apply(reading(id, T, { temperatureC: 1 }));
    service.persist();
    assert.equal(pageRows(), Math.ceil(25_000 / 128), 'a page of 128 states per row');
    db.connection.exec('DELETE FROM state_pages');
    service.persist();
    assert.equal(pageRows(), 0, 'nothing changed since: nothing written');
    service.apply(reading('C17', T + 1, { temperatureC: 2 }));
    const c17 = service.get('C17');
    shutdown();
    assert.equal(pageRows(), 1, "only C17's page");
    service = open();
    assert.deepEqual(service.get('C17'), c17);
    assert.equal(service.get('C18')?.values.temperatureC?.value, 1, "on C17's page: written with it");
    assert.equal(service.get('C2000'), undefined, 'on another page, deleted above: not restored');
  });

  it('writes the changed pages behind at each state checkpoint, and only those', async () => {
    const ids = Array.from({ length: 2100 }, (_, i) => `C${i + 3}`);
    addContainers(...ids);
    for (const id of ids) service.apply(reading(id, T, { temperatureC: 1 }));
    await checkpoint.checkpoint();
    assert.equal(pageRows(), Math.ceil(2100 / 128));
    db.connection.exec('DELETE FROM state_pages');
    service.apply(reading('C5', T + 1, { temperatureC: 2 }));
    await checkpoint.checkpoint();
    assert.equal(pageRows(), 1);
    const written = service.get('C5');
    service = open();
    assert.deepEqual(service.get('C5'), written);
  });

  it('keeps freed slots free across a restart, and fills them before growing', () => {
    const ids = Array.from({ length: 3000 }, (_, i) => `C${i + 3}`);
    addContainers(...ids, 'C-NEW');
    for (const id of ids) service.apply(reading(id, T, { batteryPct: 80 }));
    service.forget('C10');
    service.forget('C2000');
    const before = [...service.lastSeenAll()];
    shutdown();
    service = open();
    assert.deepEqual([...service.lastSeenAll()], before);
    assert.equal(service.get('C10'), undefined);
    service.apply(reading('C-NEW', T, { batteryPct: 5 }));
    service.persist();
    assert.equal(pageRows(), Math.ceil(3000 / 128), 'the new state took a freed slot: no other page');
  });

  it('drops the state of a container deleted before its page was written again', () => {
    addContainers('C-GONE');
    service.apply(reading('C-GONE', T, { temperatureC: 4 }));
    service.apply(reading('C1', T, { temperatureC: 5 }));
    shutdown();
    db.connection.prepare("DELETE FROM containers WHERE id = 'C-GONE'").run();
    service = open();
    assert.equal(service.get('C-GONE'), undefined);
    assert.equal(service.get('C1')?.values.temperatureC?.value, 5);
    assert.deepEqual(
      [...service.lastSeenAll()].map((s) => s.containerId),
      ['C1'],
    );
  });

  it('reads the JSON rows of versions before pages once and stores them as pages', () => {
    shutdown();
    const state = {
      containerId: 'C2',
      lastMeasuredAt: T,
      lastReceivedAt: T + 1000,
      lastDeviceId: 'D-C2',
      shipmentId: 'S4',
      values: { temperatureC: { value: 6.5, measuredAt: T }, doorOpen: { value: true, measuredAt: T - 5 } },
    };
    db.connection
      .prepare('INSERT INTO container_state (container_id, state, updated_at) VALUES (?, ?, 0)')
      .run('C2', JSON.stringify(state));
    service = open();
    assert.deepEqual(service.get('C2'), state);
    assert.equal(
      (db.connection.prepare('SELECT count(*) AS n FROM container_state').get() as { n: number }).n,
      0,
    );
    service = open();
    assert.deepEqual(service.get('C2'), state, 'restored from its page');
  });

  it('carries over the pages of versions before the container state, with other measurements', () => {
    shutdown();
    // Two measurements, so 2 + 2 × 2 numbers a slot: C1 in slot 0, slot 1 free, C2 in slot 2.
    const numbers = new Float64Array(3 * 6);
    numbers.set([T, T + 1000, 7.5, T, 0, 0], 0);
    numbers.set([T - 9, T - 8, 0, 0, 55, T - 9], 12);
    const present = new Uint8Array([0b01, 0, 0b10]);
    const ids = {
      keys: ['temperatureC', 'humidityPct'],
      containers: ['C1', null, 'C2'],
      devices: ['D1', '', 'D2'],
      shipments: [null, null, 'S1'],
    };
    db.connection
      .prepare('INSERT INTO container_state_pages VALUES (0, ?, ?, ?, 0)')
      .run(Buffer.from(numbers.buffer), Buffer.from(present), JSON.stringify(ids));
    service = open();
    assert.deepEqual(service.get('C1'), {
      containerId: 'C1',
      lastMeasuredAt: T,
      lastReceivedAt: T + 1000,
      lastDeviceId: 'D1',
      values: { temperatureC: { value: 7.5, measuredAt: T } },
    });
    assert.deepEqual(service.get('C2')?.values, { humidityPct: { value: 55, measuredAt: T - 9 } });
    assert.equal(service.get('C2')?.shipmentId, 'S1');
    const stored = db.connection.prepare('SELECT ids FROM state_pages').pluck().all() as string[];
    assert.equal(stored.length, 1);
    assert.notDeepEqual(JSON.parse(stored[0]).keys, ids.keys, "stored again in this version's layout");
    assert.equal(db.connection.prepare('SELECT count(*) FROM container_state_pages').pluck().get(), 0);
    service = open();
    assert.equal(service.get('C2')?.shipmentId, 'S1', 'restored from its new page');
  });
});
