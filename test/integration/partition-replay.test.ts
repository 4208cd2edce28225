import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { InboxSegmentLog } from '#src/broker/inbox/inbox-segment.log.js';
import { partitionOf } from '#src/contracts/partition.js';
import { deviceTelemetryTopic } from '#src/contracts/topics.js';
import { startTestApp, type TestApp } from '#test/support/test-app.js';
import { waitFor } from '#test/support/wait-for.js';

/** Two containers of the example fleet, in different partitions of the default 64. */
const CHECKPOINTED = { device: 'sensor-reefer-002', container: 'REEFER-002' };
const OTHER = { device: 'sensor-reefer-001', container: 'REEFER-001' };

/**
 * The replay at start, end to end: the inbox holds messages a crash left unstored although the
 * state checkpoint of one container's partition already covers some of them (the checkpoint ran
 * between the state being applied and the batch being stored). Every replayed reading is stored;
 * only those above their partition's checkpointed position are applied to the state again.
 */
describe('the replay of the inbox against the positions checkpointed per partition', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'convoi-partition-replay-'));
  let app: TestApp | undefined;
  after(async () => {
    await app?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('stores every replayed reading and applies only those past their partition checkpoint', async () => {
    assert.notEqual(partitionOf(CHECKPOINTED.container, 64), partitionOf(OTHER.container, 64));
    // A first life: the database, its fleet, its partition count.
    await (await startTestApp({ dataDir })).close({ keepData: true });

    // What the crash left: three acknowledged messages, in the inbox only.
    const t = Math.floor(Date.now() / 60_000) * 60_000 - 10 * 60_000;
    const message = (device: string, ts: number) => ({
      topic: deviceTelemetryTopic(device),
      payload: Buffer.from(JSON.stringify({ ts, temperature: 3 })),
      receivedAt: Date.now(),
    });
    const { log } = InboxSegmentLog.open(dataDir);
    const [newer, other, older] = log.append([
      message(CHECKPOINTED.device, t + 120_000),
      message(OTHER.device, t + 60_000),
      message(CHECKPOINTED.device, t + 60_000),
    ]);
    log.close();
    // The checkpoint of REEFER-002's partition covers the first two; REEFER-001's has none.
    const db = new BetterSqlite3(join(dataDir, 'convoi.sqlite'));
    db.prepare("INSERT INTO partition_checkpoint VALUES ('inbox', ?, ?, 0)").run(
      partitionOf(CHECKPOINTED.container, 64),
      other.id,
    );
    db.close();

    app = await startTestApp({ dataDir });
    const readings = async (container: string) =>
      (
        (await app!.request(`/api/v1/containers/${container}/readings?from=${new Date(t).toISOString()}`))
          .body as { items: { measuredAt: number }[] }
      ).items.map((r) => r.measuredAt);
    await waitFor('the replay stored', async () => (await readings(CHECKPOINTED.container)).length === 2);
    assert.deepEqual((await readings(CHECKPOINTED.container)).sort(), [t + 60_000, t + 120_000]);
    assert.deepEqual(await readings(OTHER.container), [t + 60_000]);
    const live = async (container: string) =>
      ((await app!.request(`/api/v1/containers/${container}`)).body as { live?: { lastMeasuredAt: number } })
        .live?.lastMeasuredAt;
    assert.equal(
      await live(CHECKPOINTED.container),
      t + 60_000,
      `message ${newer.id} (≤ the partition's position) is stored, not applied; ${older.id} is applied`,
    );
    assert.equal(
      await live(OTHER.container),
      t + 60_000,
      'a partition with no checkpoint applies its reading',
    );
  });
});
