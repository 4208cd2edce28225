import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Reading } from '#src/contracts/reading.js';
import type { LiveStateService } from '#src/fleet/live-state.service.js';
import type { JourneyTracker } from '#src/journeys/journey-tracker.service.js';
import type { RuleEngine } from '#src/rules/rule-engine.service.js';
import type { TelemetryWriter } from '#src/telemetry/telemetry.ports.js';
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

/** The processor over four stand-in stages that write down when they run (and may fail). */
function processorWith(failing: string[] = []) {
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
  );
  return { processor, ran };
}

void describe(ReadingProcessor.name, () => {
  void it('stores, applies to live state, then runs rules and journeys, in that order', () => {
    const { processor, ran } = processorWith();
    processor.handle('v1/devices/D-1/telemetry', [reading(1), reading(2)]);
    assert.deepEqual(ran, ['store', 'live state', 'live state', 'rules', 'journeys']);
  });

  void it('runs every stage after storage even when one before it fails', () => {
    const { processor, ran } = processorWith(['live state', 'rules']);
    assert.doesNotThrow(() => processor.handle('t', [reading(1)]));
    assert.deepEqual(ran, ['store', 'live state', 'rules', 'journeys']);
  });

  void it('lets a storage failure reach the pipeline, and runs nothing after it', () => {
    const { processor, ran } = processorWith(['store']);
    assert.throws(() => processor.handle('t', [reading(1)]), /store broke/);
    assert.deepEqual(ran, ['store']);
  });
});
