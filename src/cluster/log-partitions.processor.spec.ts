import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { IngestionConsumer } from '#src/ingestion/ingestion.consumer.js';
import { InputLogReader, type LogEntryHandler, type LogTail } from '#src/log/input-log.port.js';
import { PartitionOwnership } from '#src/partitions/partition-ownership.js';
import type { ContainerStates } from '#src/state/container-states.port.js';
import { PartitionFence } from '#src/storage/partition-fence.js';
import type { StateCheckpoint } from '#src/storage/state-checkpoint.js';
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
});
