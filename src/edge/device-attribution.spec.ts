import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { defaultConfig } from '#src/app-settings.js';
import { chirpstackUplinkTopic, deviceTelemetryTopic, ttsUplinkTopic } from '#src/contracts/topics.js';
import { DeviceDirectory } from '#src/fleet/device-directory.service.js';
import { SqliteDatabase } from '#src/storage/sqlite-database.js';
import { openFleetStore, sqliteStore } from '#test/support/fleet-store.js';
import { attribute } from './device-attribution.js';

describe(attribute.name, () => {
  let dir: string;
  let db: SqliteDatabase;
  let directory: DeviceDirectory;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'device-attribution-'));
    db = new SqliteDatabase(defaultConfig({ DATA_DIR: dir }));
    const { fleet, seed } = await openFleetStore(sqliteStore(db));
    await seed({
      containers: ['C1', 'C2', 'C3'].map((id) => ({ id, kind: 'reefer' as const, label: id })),
      devices: [
        { id: 'D1', format: 'json', containerId: 'C1' },
        { id: 'L1', format: 'chirpstack', devEui: '0004a30b001c0530', model: 'm', containerId: 'C3' },
        { id: 'T1', format: 'tts', devEui: '70b3d57ed0000001', model: 'm', containerId: 'C3' },
      ],
    });
    // D1 moves to C2 at 100.
    await seed({ devices: [{ id: 'D1', format: 'json', containerId: 'C2' }] }, 100);
    directory = new DeviceDirectory(fleet);
    await directory.onModuleInit();
  });

  afterEach(async () => {
    await db.onApplicationShutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  it('attributes a native device by the binding at receipt: the old container before a rebind, the new after', () => {
    assert.deepEqual(attribute(directory, deviceTelemetryTopic('D1'), 50), {
      deviceId: 'D1',
      containerId: 'C1',
    });
    assert.deepEqual(attribute(directory, deviceTelemetryTopic('D1'), 100), {
      deviceId: 'D1',
      containerId: 'C2',
    });
  });

  it('finds a LoRaWAN device by its DevEUI (ChirpStack) or its TTS id or DevEUI', () => {
    const expected = { containerId: 'C3' };
    assert.deepEqual(attribute(directory, chirpstackUplinkTopic('app', '0004A30B001C0530'), 10), {
      deviceId: 'L1',
      ...expected,
    });
    assert.deepEqual(attribute(directory, ttsUplinkTopic('app', 'ttn', 'T1'), 10), {
      deviceId: 'T1',
      ...expected,
    });
    assert.deepEqual(attribute(directory, ttsUplinkTopic('app', 'ttn', '70b3d57ed0000001'), 10), {
      deviceId: 'T1',
      ...expected,
    });
  });

  it('gives an unknown or unbound device no container, and a topic naming no device no device', () => {
    assert.deepEqual(attribute(directory, deviceTelemetryTopic('nobody'), 10), {
      deviceId: 'nobody',
      containerId: '',
    });
    assert.deepEqual(attribute(directory, 'v1/elsewhere', 10), { deviceId: '', containerId: '' });
  });
});
