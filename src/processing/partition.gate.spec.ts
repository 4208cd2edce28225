import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { UNPOSITIONED } from '#src/contracts/log-position.js';
import { partitionOf } from '#src/contracts/partition.js';
import type { Reading } from '#src/contracts/reading.js';
import { PartitionOwnership } from '#src/partitions/partition-ownership.js';
import { restoredCheckpoint, type EarlierRun } from '#test/support/restored-checkpoint.js';
import { PartitionGate } from './partition.gate.js';

const P = 8;
/** Two containers in different partitions. */
const A = 'REEFER-A';
const B = ['REEFER-B', 'REEFER-C', 'REEFER-D'].find((id) => partitionOf(id, P) !== partitionOf(A, P))!;
const [pA, pB] = [partitionOf(A, P), partitionOf(B, P)];

const reading = (containerId: string): Reading => ({
  deviceId: `D-${containerId}`,
  containerId,
  measuredAt: 1,
  receivedAt: 1,
  source: 'json',
  dedupeKey: `D-${containerId}/1`,
  quality: { lagMs: 0, late: false },
  temperatureC: 4,
});

describe(PartitionGate.name, () => {
  const closing: (() => Promise<void>)[] = [];
  const gate = async (ownership: PartitionOwnership, earlier: EarlierRun[] = []) => {
    const { checkpoint, close } = await restoredCheckpoint(P, ownership, earlier);
    closing.push(close);
    return { gate: new PartitionGate(ownership, checkpoint), checkpoint };
  };

  afterEach(async () => {
    for (const close of closing.splice(0)) await close();
  });

  it('lets every reading through, the same array, when nothing is restored (one node)', async () => {
    const { gate: g } = await gate(PartitionOwnership.all(P));
    const readings = [reading(A), reading(B)];
    assert.equal(g.admit(readings, 1), readings);
  });

  it("holds back a replayed reading its partition's restored state reflects, and only that one", async () => {
    const { gate: g } = await gate(PartitionOwnership.all(P), [
      { partitions: [pA], position: 100 },
      { partitions: [pB], position: 50 },
    ]);
    const [a, b] = [reading(A), reading(B)];
    assert.deepEqual(g.admit([a, b], 50), [], 'both partitions reflect position 50');
    assert.deepEqual(g.admit([a, b], 80), [b], "A's partition reflects 80, B's does not");
    assert.deepEqual(g.admit([a, b], 100), [b]);
    const past = [a, b];
    assert.equal(g.admit(past, 101), past, 'past the replay: all, and nothing computed');
  });

  it('applies nothing of a partition the processor does not own', async () => {
    const { gate: g } = await gate(PartitionOwnership.of(P, [pA]));
    assert.deepEqual(g.admit([reading(A), reading(B)], 5), [reading(A)]);
    assert.deepEqual(g.admit([reading(B)], UNPOSITIONED), []);
  });

  it('takes a message with no log position (an external broker) for new', async () => {
    const { gate: g } = await gate(PartitionOwnership.all(P), [{ partitions: [pA, pB], position: 100 }]);
    const readings = [reading(A)];
    assert.equal(g.admit(readings, UNPOSITIONED), readings);
  });

  it('lets a message this run received through, whatever its position (an inbox emptied by hand)', async () => {
    const { gate: g, checkpoint } = await gate(PartitionOwnership.all(P), [
      { partitions: [pA], position: 100 },
    ]);
    checkpoint.newMessagesFrom(1);
    const readings = [reading(A)];
    assert.equal(g.admit(readings, 3), readings);
  });

  it("admits, after a cluster takeover, only what is above each taken partition's restored stream position", async () => {
    const ownership = PartitionOwnership.of(P, []);
    const { gate: g, checkpoint } = await gate(ownership);
    // A giver's checkpoint: each partition at its own position of the one stream.
    checkpoint.usePartitionPositions(
      () =>
        new Map([
          [pA, 100],
          [pB, 40],
        ]),
    );
    await checkpoint.checkpoint();
    const [a, b] = [reading(A), reading(B)];

    await checkpoint.restorePositions([pA]);
    ownership.take([pA]);
    assert.equal(ownership.ownsAll, false);
    assert.deepEqual(g.admit([a, b], 100), [], "A's restored state reflects 100");
    assert.deepEqual(g.admit([a, b], 101), [a], "B's partition is not owned");

    const others = Array.from({ length: P }, (_, p) => p).filter((p) => p !== pA);
    await checkpoint.restorePositions(others);
    ownership.take(others);
    assert.equal(ownership.ownsAll, true, 'the survivor owns every partition');
    assert.deepEqual(g.admit([a, b], 41), [b], 'A at 100, B at 40');
    const past = [a, b];
    assert.equal(g.admit(past, 101), past, 'above every restored position: all, nothing computed');
  });
});
