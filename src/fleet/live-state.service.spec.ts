import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '#src/common/clock.js';
import { AppConfig } from '#src/config/app-config.js';
import type { Reading } from '#src/contracts/reading.js';
import { SqliteDatabase } from '#src/storage/sqlite-database.js';
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

  const open = () => {
    const s = new LiveStateService(db, new ManualClock(T));
    s.onModuleInit();
    return s;
  };
  const addContainers = (...ids: string[]) => {
    const insert = db.connection.prepare(
      "INSERT INTO containers (id, kind, label, created_at, updated_at) VALUES (?, 'reefer', ?, 0, 0)",
    );
    for (const id of ids) insert.run(id, id);
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'live-state-'));
    db = new SqliteDatabase(Object.assign(new AppConfig(), { DATA_DIR: dir }));
    db.migrate('fleet', FLEET_MIGRATIONS);
    addContainers('C1', 'C2');
    service = open();
  });

  afterEach(async () => {
    service.beforeApplicationShutdown();
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
    service.beforeApplicationShutdown();
    service = open();
    assert.equal(service.size(), 2);
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

  it('writes only changed states, and everything at shutdown', () => {
    const ids = Array.from({ length: 25_000 }, (_, i) => `C${i + 3}`);
    addContainers(...ids);
    for (const id of ids) service.apply(reading(id, T, { temperatureC: 1 }));
    const rows = () =>
      (db.connection.prepare('SELECT count(*) AS n FROM container_state').get() as { n: number }).n;
    service.persist();
    assert.equal(rows(), 25_000);
    db.connection.exec('DELETE FROM container_state');
    service.persist();
    assert.equal(rows(), 0, 'nothing changed since: nothing written');
    service.apply(reading('C17', T + 1, { temperatureC: 2 }));
    service.beforeApplicationShutdown();
    const stored = db.connection.prepare('SELECT container_id, state FROM container_state').all() as {
      container_id: string;
      state: string;
    }[];
    assert.deepEqual(
      stored.map((r) => r.container_id),
      ['C17'],
    );
    assert.deepEqual(JSON.parse(stored[0].state), service.get('C17'));
  });
});
