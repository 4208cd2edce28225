import { Injectable } from '@nestjs/common';
import type { LogPosition } from '#src/contracts/log-position.js';
import type { Reading } from '#src/contracts/reading.js';
import { PartitionOwnership } from '#src/partitions/partition-ownership.js';
import { StateCheckpoint } from '#src/storage/state-checkpoint.js';

/**
 * Which of a message's accepted readings this processor applies to the state (live, rule and
 * journey state): those of a partition it owns ({@link PartitionOwnership}) that its restored
 * state does not reflect yet, i.e. whose position is above their partition's checkpointed one
 * ({@link StateCheckpoint.restoredPosition}). A replay after a crash thus applies nothing twice,
 * however far the inbox goes back to store what was not stored. On one node every partition is
 * owned, so past the replay this is one comparison per message and no partition is computed.
 */
@Injectable()
export class PartitionGate {
  constructor(
    private readonly ownership: PartitionOwnership,
    private readonly checkpoint: StateCheckpoint,
  ) {}

  /** The readings to apply to the state, `readings` itself when all of them are. */
  admit(readings: readonly Reading[], position: LogPosition): readonly Reading[] {
    if (position > this.checkpoint.replayHorizon() && this.ownership.ownsAll) return readings;
    return readings.filter((r) => {
      const partition = this.ownership.partitionOf(r.containerId);
      return this.ownership.owns(partition) && position > this.checkpoint.restoredPosition(partition);
    });
  }
}
