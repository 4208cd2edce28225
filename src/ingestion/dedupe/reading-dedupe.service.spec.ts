import 'reflect-metadata';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { Metrics } from '#src/common/metrics.js';
import { loadConfig } from '#src/app-settings.js';
import type { DecodedReading, ReadingSource } from '#src/contracts/reading.js';
import { DeviceDirectory } from '#src/fleet/device-directory.service.js';
import { openFleetStore, sqliteStore } from '#test/support/fleet-store.js';
import { SqliteDatabase } from '#src/storage/sqlite-database.js';
import { ManualClock } from '#src/common/clock.js';
import { openContainerStates } from '#src/state/container-states.testing.js';
import type { SqliteContainerStates } from '#src/state/sqlite-container-states.js';
import { ReadingDedupe, type LossCountedReading } from './reading-dedupe.service.js';

const T0 = Date.UTC(2026, 10, 22, 8, 0, 0);

function uplink(
  fCnt: number,
  at = T0 + fCnt * 1000,
  source: ReadingSource = 'chirpstack',
  key?: string,
): LossCountedReading {
  return {
    deviceId: 'lora-1',
    measuredAt: at,
    receivedAt: at,
    source,
    dedupeKey: key ?? `70b3d57ed0000001:${fCnt}:1`,
    temperatureC: 4,
    quality: { fCnt, lagMs: 0, late: false },
  };
}

function native(seq: number, at = T0, temperatureC = 4, receivedAt = at): DecodedReading {
  return {
    deviceId: 'json-1',
    measuredAt: at,
    receivedAt,
    source: 'json',
    seq,
    dedupeKey: `json-1:t:${at}`,
    temperatureC,
    quality: { lagMs: 0, late: false },
  };
}

const CONTAINERS: Record<string, string> = {
  'lora-1': 'C-lora-1',
  'json-1': 'C-json-1',
  'json-10': 'C-json-10',
};

describe(ReadingDedupe.name, () => {
  let metrics: Metrics;
  let dedupe: ReadingDedupe;
  let dir: string;
  let db: SqliteDatabase;
  let directory: DeviceDirectory;
  let states: SqliteContainerStates;
  let open: () => ReadingDedupe;
  const clock = new ManualClock(T0);

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dedupe-'));
    const config = loadConfig({ DEDUPE_WINDOW_MS: '60000', DATA_DIR: dir });
    db = new SqliteDatabase(config);
    const seeded = await openFleetStore(sqliteStore(db));
    // Each on a container of its own: the dedupe window and radio links are the container's.
    await seeded.seed({
      containers: Object.values(CONTAINERS).map((id) => ({ id, kind: 'reefer' as const, label: id })),
      devices: [
        { id: 'lora-1', format: 'chirpstack', devEui: '70b3d57ed0000001', containerId: CONTAINERS['lora-1'] },
        { id: 'json-1', format: 'json', containerId: CONTAINERS['json-1'] },
        { id: 'json-10', format: 'json', containerId: CONTAINERS['json-10'] },
      ],
    });
    directory = new DeviceDirectory(seeded.fleet);
    await directory.onModuleInit();
    metrics = new Metrics();
    open = () => {
      states = openContainerStates(db, clock);
      return new ReadingDedupe(config, metrics, directory, states, clock);
    };
    dedupe = open();
  });

  afterEach(async () => {
    await db.onApplicationShutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  const admit = (reading: LossCountedReading) =>
    dedupe.admit(reading, states.obtain(CONTAINERS[reading.deviceId]));

  const deleteDevice = async (id: string) => {
    db.connection.prepare('DELETE FROM device_bindings WHERE device_id = ?').run(id);
    db.connection.prepare('DELETE FROM devices WHERE id = ?').run(id);
    await directory.reload();
  };

  it("forgets a deleted device: its keys, frame counters and duplicates, nobody else's", async () => {
    admit(uplink(10));
    admit(uplink(10));
    admit(uplink(11, T0, 'chirpstack', '70b3d57ed0000001/dedup-id'));
    admit(native(1));
    const other = { ...native(1), deviceId: 'json-10', dedupeKey: `json-10:t:${T0}` };
    admit(other);
    await deleteDevice('lora-1');
    await deleteDevice('json-1');
    assert.deepEqual(dedupe.radioStatus('lora-1'), {
      deviceId: 'lora-1',
      lostFrames: 0,
      resets: 0,
      duplicates: 0,
    });
    // Created again under the same id: its first frames are new, not repeats nor a counter reset.
    assert.equal(admit(uplink(10)), 'keep');
    assert.equal(admit(uplink(11, T0, 'chirpstack', '70b3d57ed0000001/dedup-id')), 'keep');
    assert.equal(admit(native(1)), 'keep');
    assert.equal(dedupe.radioStatus('lora-1').resets, 0);
    // A device whose id starts like a deleted one's keeps its keys.
    assert.equal(admit({ ...other }), 'repeat');
  });

  it('forgets a device given another DevEUI (another radio under the same id)', async () => {
    admit(uplink(10));
    db.connection.prepare("UPDATE devices SET dev_eui = '70b3d57ed0000002' WHERE id = 'lora-1'").run();
    await directory.reload();
    assert.equal(admit(uplink(10)), 'keep');
    assert.equal(dedupe.radioStatus('lora-1').lastFCnt, 10);
  });

  const sample = async (name: string, source?: string): Promise<number> => {
    const metric = (await metrics.registry.getSingleMetric(name)?.get())?.values ?? [];
    return metric.find((v) => source === undefined || v.labels.source === source)?.value ?? 0;
  };

  it('lets the first of repeated keys through, per source, and counts the repeats', async () => {
    assert.equal(admit(uplink(5)), 'keep');
    assert.equal(admit(uplink(5)), 'repeat');
    assert.equal(admit(uplink(5, T0 + 1000)), 'repeat');
    assert.equal(admit(native(9)), 'keep');
    assert.equal(admit(native(9)), 'repeat');
    assert.equal(await sample('convoi_ingest_duplicates_total', 'chirpstack'), 2);
    assert.equal(await sample('convoi_ingest_duplicates_total', 'json'), 1);
    assert.equal(dedupe.radioStatus('lora-1').duplicates, 2);
    assert.equal(dedupe.radioStatus('json-1').duplicates, 1);
  });

  it('forgets a key after the window', () => {
    assert.equal(admit(native(1)), 'keep');
    assert.equal(admit(native(1, T0, 4, T0 + 59_999)), 'repeat');
    assert.equal(admit(native(1, T0, 4, T0 + 60_000)), 'keep');
  });

  it('keeps the readings of a device whose seq starts again (reboot) and counts a reset', async () => {
    // Issue "Tried as a new user would" 2.1: keyed on seq, the second reading was a "duplicate".
    assert.equal(admit(native(7, T0, 3.5)), 'keep');
    assert.equal(admit(native(7, T0 + 60_000, 9.5)), 'keep');
    assert.equal(admit(native(8, T0 + 120_000, 9.6)), 'keep');
    // A late reading of the first run is neither a reset nor a repeat.
    assert.equal(admit(native(5, T0 - 60_000, 3.4)), 'keep');
    const status = dedupe.radioStatus('json-1');
    assert.equal(status.duplicates, 0);
    assert.equal(status.resets, 1);
    assert.equal(status.lastResetAt, T0 + 60_000);
    assert.equal(await sample('convoi_ingest_seq_resets_total'), 1);
  });

  it('tells a repeat (same instant, same values) from a conflict (same instant, other values)', async () => {
    assert.equal(admit(native(1, T0, -19.7)), 'keep');
    assert.equal(admit(native(2, T0, -19.7, T0 + 5000)), 'repeat');
    assert.equal(admit(native(3, T0, 4.2, T0 + 6000)), 'conflict');
    assert.equal(admit({ ...native(4, T0, -19.7), temperatureC: undefined, humidityPct: 50 }), 'conflict');
    // The first reading stays the reference: its repeat is still a repeat after a conflict.
    assert.equal(admit(native(1, T0, -19.7, T0 + 7000)), 'repeat');
    assert.equal(dedupe.radioStatus('json-1').duplicates, 2);
    assert.equal(await sample('convoi_ingest_duplicates_total', 'json'), 2);
  });

  it('refuses a LoRaWAN uplink with other values at an instant of its device already kept', () => {
    assert.equal(admit(uplink(20, T0)), 'keep');
    assert.equal(admit({ ...uplink(21, T0), temperatureC: 9 }), 'conflict');
    // Its frame still counts as arrived: no loss when the next one comes.
    const next = uplink(22);
    assert.equal(admit(next), 'keep');
    assert.equal(next.lostFrames, undefined);
  });

  it('sets lostFrames on the reading after a gap and counts them', async () => {
    admit(uplink(10));
    const next = uplink(11);
    admit(next);
    assert.equal(next.lostFrames, undefined);
    const afterGap = uplink(17);
    assert.equal(admit(afterGap), 'keep');
    assert.equal(afterGap.lostFrames, 5);
    assert.equal(await sample('convoi_lorawan_frames_lost_total'), 5);
    assert.deepEqual(dedupe.radioStatus('lora-1'), {
      deviceId: 'lora-1',
      lastFCnt: 17,
      lostFrames: 5,
      resets: 0,
      duplicates: 0,
    });
  });

  it('keeps a counter reset and reports it with its time', async () => {
    for (let f = 0; f < 40; f++) admit(uplink(f, T0 + f * 1000, 'tts', `k${f}`));
    assert.equal(admit(uplink(0, T0 + 50_000, 'tts', 'k-after-reboot')), 'keep');
    const status = dedupe.radioStatus('lora-1');
    assert.equal(status.resets, 1);
    assert.equal(status.lastResetAt, T0 + 50_000);
    assert.equal(status.lastFCnt, 0);
    assert.equal(await sample('convoi_lorawan_fcnt_resets_total'), 1);
  });

  it('keeps native readings out of the frame counters', () => {
    admit(native(1));
    assert.deepEqual(dedupe.radioStatus('json-1'), {
      deviceId: 'json-1',
      lostFrames: 0,
      resets: 0,
      duplicates: 0,
    });
  });

  it("keeps its window and the devices' radio links across a restart (checkpointed with the container)", () => {
    assert.equal(admit(uplink(10)), 'keep');
    assert.equal(admit(uplink(10)), 'repeat');
    assert.equal(admit(native(1)), 'keep');
    states.flush();
    dedupe = open();
    // What the checkpoint holds may be past its position: the inbox replays it, once through.
    assert.equal(admit(uplink(10)), 'keep', 'a replay of the uplink the restored window holds');
    assert.equal(admit(uplink(10)), 'repeat', 'the uplink key is still in the window');
    assert.equal(admit(native(1, T0, 9, T0 + 6000)), 'conflict', 'other values: refused after a restart too');
    assert.equal(admit(native(1, T0, 4, T0 + 5000)), 'keep');
    assert.equal(admit(native(1, T0, 4, T0 + 5000)), 'repeat');
    const afterGap = uplink(13);
    assert.equal(admit(afterGap), 'keep');
    assert.equal(afterGap.lostFrames, 2, 'the counter goes on from 10, not from a first frame');
    assert.deepEqual(dedupe.radioStatus('lora-1'), {
      deviceId: 'lora-1',
      lastFCnt: 13,
      lostFrames: 2,
      resets: 0,
      duplicates: 2,
    });
  });

  it('keeps the newest keys of a container when its window is full', () => {
    for (let i = 0; i < 20; i++) assert.equal(admit(native(i, T0 + i * 1000)), 'keep');
    assert.equal(admit(native(19, T0 + 19_000, 4, T0 + 30_000)), 'repeat', 'the newest is remembered');
    assert.equal(admit(native(0, T0, 4, T0 + 30_000)), 'keep', 'the oldest gave its place');
  });
});
