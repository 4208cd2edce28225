import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Reading } from '#src/contracts/reading.js';
import type { LiveStateService } from '#src/fleet/live-state.service.js';
import type { JourneyTracker } from '#src/journeys/journey-tracker.service.js';
import type { RuleEngine } from '#src/rules/rule-engine.service.js';
import { PartitionOwnership } from '#src/partitions/partition-ownership.js';
import type { TelemetryWriter } from '#src/telemetry/telemetry.ports.js';
import { restoredCheckpoint, type EarlierRun } from '#test/support/restored-checkpoint.js';
import { PartitionGate } from './partition.gate.js';
import { ReadingProcessor } from './reading-processor.service.js';

const reading = (measuredAt: number): Reading => ({
  deviceId: 'D-1',
  containerId: 'C-1',
  measuredAt,
  receivedAt: measuredAt,
  source: 'json',
  dedupeKey: `D-1/${measuredAt}`,
  quality: { lagMs: 0, late: false },
  temperatureC: 4,
});

const closing: (() => Promise<void>)[] = [];

/**
 * The processor over four stand-in stages that write down when they run (and may fail), and the
 * gate of one node's processor over a checkpoint restored from `earlier` runs.
 */
async function processorWith(failing: string[] = [], earlier: EarlierRun[] = []) {
  const ownership = PartitionOwnership.all(4);
  const { checkpoint, close } = await restoredCheckpoint(4, ownership, earlier);
  closing.push(close);
  const ran: string[] = [];
  const stage = (name: string) => () => {
    ran.push(name);
    if (failing.includes(name)) throw new Error(`${name} broke`);
  };
  const processor = new ReadingProcessor(
    { write: stage('store') } as unknown as TelemetryWriter,
    { apply: stage('live state') } as unknown as LiveStateService,
    { evaluate: stage('rules') } as unknown as RuleEngine,
    { onReadings: stage('journeys') } as unknown as JourneyTracker,
    new PartitionGate(ownership, checkpoint),
  );
  return { processor, ran };
}

void describe(ReadingProcessor.name, () => {
  afterEach(async () => {
    for (const close of closing.splice(0)) await close();
  });

  void it('stores, applies to live state, then runs rules and journeys, in that order', async () => {
    const { processor, ran } = await processorWith();
    processor.handle('v1/devices/D-1/telemetry', [reading(1), reading(2)], 1);
    assert.deepEqual(ran, ['store', 'live state', 'live state', 'rules', 'journeys']);
  });

  void it('runs every stage after storage even when one before it fails', async () => {
    const { processor, ran } = await processorWith(['live state', 'rules']);
    assert.doesNotThrow(() => processor.handle('t', [reading(1)], 1));
    assert.deepEqual(ran, ['store', 'live state', 'rules', 'journeys']);
  });

  void it('lets a storage failure reach the pipeline, and runs nothing after it', async () => {
    const { processor, ran } = await processorWith(['store']);
    assert.throws(() => processor.handle('t', [reading(1)], 1), /store broke/);
    assert.deepEqual(ran, ['store']);
  });

  void it("stores a replayed reading its partition's checkpointed state reflects, and applies it to no state", async () => {
    const { processor, ran } = await processorWith([], [{ partitions: [0, 1, 2, 3], position: 10 }]);
    processor.handle('t', [reading(1)], 10);
    assert.deepEqual(ran, ['store'], 'at the checkpointed position: stored again only');
    processor.handle('t', [reading(2)], 11);
    assert.deepEqual(ran, ['store', 'store', 'live state', 'rules', 'journeys'], 'past it: every stage');
  });
});
