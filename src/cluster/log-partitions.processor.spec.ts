import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { defaultConfig } from '#src/app-settings.js';
import { ManualClock } from '#src/common/clock.js';
import type { IngestionConsumer } from '#src/ingestion/ingestion.consumer.js';
import { InputLogReader, type LogEntryHandler, type LogTail } from '#src/log/input-log.port.js';
import { PartitionOwnership } from '#src/partitions/partition-ownership.js';
import type { ContainerStates } from '#src/state/container-states.port.js';
import { PartitionFence } from '#src/storage/partition-fence.js';
import { SqliteDatabase } from '#src/storage/sqlite-database.js';
import { StateCheckpoint } from '#src/storage/state-checkpoint.js';
import type { TelemetryWriter } from '#src/telemetry/telemetry.ports.js';
import type { DecidedEffects } from './decided-effects.js';
import { LogPartitionsProcessor } from './log-partitions.processor.js';

const PARTITIONS = 4;

/** A log whose reads have come to `readThrough[p]`, handing over `entries[p]`; it records what it is told to forget. */
class RecordingLog extends InputLogReader {
  readonly forgotten: string[] = [];
  constructor(
    private readonly readThrough: Record<number, number>,
    private readonly entries: Record<number, number[]>,
  ) {
    super();
  }
  read(after: ReadonlyMap<number, number>, onEntry: LogEntryHandler): Promise<LogTail> {
    const [partition] = [...after.keys()];
    for (const position of this.entries[partition] ?? [])
      onEntry({
        containerId: '',
        deviceId: '',
        topic: 't',
        payload: Buffer.alloc(0),
        receivedAt: 0,
        partition,
        position,
      });
    return Promise.resolve({
      stop: () => Promise.resolve(),
      readThrough: () => Promise.resolve(this.readThrough[partition]),
    });
  }
  forget(partition: number, position: number): Promise<void> {
    this.forgotten.push(`${partition}@${position}`);
    return Promise.resolve();
  }
  forgetAll(position: number): Promise<void> {
    this.forgotten.push(`all@${position}`);
    return Promise.resolve();
  }
}

/** The processor on `log`, with a checkpoint that runs `duringCheckpoint` and succeeds. */
function processorOn(
  log: RecordingLog,
  duringCheckpoint: (p: LogPartitionsProcessor) => Promise<void> = () => Promise.resolve(),
) {
  const checkpoint = {
    usePartitionPositions: () => {},
    register: () => {},
    restorePositions: () => Promise.resolve(),
    restoredPosition: () => 0,
    checkpoint: () => duringCheckpoint(processor).then(() => true),
  } as unknown as StateCheckpoint;
  const states = { restore: () => Promise.resolve(), release: () => {} } as unknown as ContainerStates;
  const writer = { flush: () => Promise.resolve() } as unknown as TelemetryWriter;
  const consumer = { consume: () => {} } as unknown as IngestionConsumer;
  const processor = new LogPartitionsProcessor(
    log,
    consumer,
    PartitionOwnership.of(PARTITIONS, []),
    states,
    checkpoint,
    writer,
    new PartitionFence(),
    { takeOver: () => Promise.resolve() } as unknown as DecidedEffects,
  );
  return processor;
}

/** The epochs the leases hand over with the partitions they took. */
const epochs = (partitions: number[]) => new Map(partitions.map((p) => [p, 1]));

// Entries 1..9 of the stream: partition 0 has 2, 5 and 9, partition 1 has 3, partitions 2 and 3 none.
const ENTRIES = { 0: [2, 5, 9], 1: [3] };
const READ_THROUGH = { 0: 9, 1: 9, 2: 8, 3: 9 };

describe(LogPartitionsProcessor.name, () => {
  it('owning every partition, forgets the log up to where every read has come, then each partition past it', async () => {
    const log = new RecordingLog(READ_THROUGH, ENTRIES);
    const processor = processorOn(log);
    await processor.acquired([0, 1, 2, 3], epochs([0, 1, 2, 3]));
    await processor.settle();
    assert.deepEqual(log.forgotten, ['all@8', '0@9']);
  });

  it('owning some partitions, forgets each up to its last entry read', async () => {
    const log = new RecordingLog(READ_THROUGH, ENTRIES);
    const processor = processorOn(log);
    await processor.acquired([0, 1, 2], epochs([0, 1, 2]));
    await processor.settle();
    assert.deepEqual(log.forgotten, ['0@9', '1@3']);
  });

  it('forgets no more than each partition when one was lost and taken back during the checkpoint', async () => {
    const log = new RecordingLog(READ_THROUGH, ENTRIES);
    const processor = processorOn(log, async (p) => {
      // Its checkpoint may then lack partition 3, whose new read starts from an older one.
      p.lost([3]);
      await p.acquired([3], epochs([3]));
    });
    await processor.acquired([0, 1, 2, 3], epochs([0, 1, 2, 3]));
    await processor.settle();
    assert.ok(!log.forgotten.some((f) => f.startsWith('all')), log.forgotten.join(', '));
  });

  it('forgets nothing of a partition lost during the checkpoint (its session died, or its write was fenced)', async () => {
    const log = new RecordingLog(READ_THROUGH, ENTRIES);
    // Its new owner replays from the checkpoint before this one: the entries read here must stay.
    const processor = processorOn(log, (p) => Promise.resolve(p.lost([0])));
    await processor.acquired([0, 1, 2], epochs([0, 1, 2]));
    await processor.settle();
    assert.ok(!log.forgotten.some((f) => f.startsWith('0@')), log.forgotten.join(', '));
  });

  it("stores the readings handed to the writer before any checkpoint stores their positions, the timer's too", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'log-partitions-flush-'));
    const sqlite = new SqliteDatabase(defaultConfig({ DATA_DIR: dir }));
    const checkpoint = new StateCheckpoint(
      sqlite,
      new ManualClock(Date.UTC(2026, 11, 8)),
      PartitionOwnership.all(PARTITIONS),
    );
    void checkpoint.onModuleInit(); // on SQLite, opened before it returns
    // The first flush waits until the test lets it end; the next ones (shutdown's) end at once.
    let stored: (() => void) | undefined;
    const writer = {
      flush: () =>
        stored === undefined ? new Promise<void>((resolve) => (stored = resolve)) : Promise.resolve(),
    } as unknown as TelemetryWriter;
    const processor = new LogPartitionsProcessor(
      new RecordingLog(READ_THROUGH, ENTRIES),
      { consume: () => {} } as unknown as IngestionConsumer,
      PartitionOwnership.of(PARTITIONS, []),
      { restore: () => Promise.resolve(), release: () => {} } as unknown as ContainerStates,
      checkpoint,
      writer,
      new PartitionFence(),
      { takeOver: () => Promise.resolve() } as unknown as DecidedEffects,
    );
    const positions = () =>
      sqlite.connection
        .prepare('SELECT partition, position FROM partition_checkpoint ORDER BY partition')
        .all();
    try {
      await processor.acquired([0, 1], epochs([0, 1]));
      // What the checkpoint's timer runs, outside any settle.
      const written = checkpoint.checkpoint();
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(positions(), [], 'no position stored while the writer holds its readings');
      stored?.();
      assert.equal(await written, true);
      assert.deepEqual(positions(), [
        { partition: 0, position: 9 },
        { partition: 1, position: 3 },
      ]);
    } finally {
      await checkpoint.beforeApplicationShutdown().catch(() => undefined);
      await sqlite.onApplicationShutdown();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
