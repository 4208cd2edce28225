import { ConfigSlice, from } from '#src/config/config-slice.js';
import { EnvOptionalInt } from '#src/config/env-transforms.js';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

/**
 * How often the containers' state is checkpointed (unset: by store, `checkpointEveryMs` in
 * state-checkpoint.ts).
 */
export class StateCheckpointSettings {
  /**
   * Milliseconds between checkpoints of the containers' state (ARCHITECTURE.md §5): about what a
   * crash, or a partition's takeover, replays at most. Unset: 5 s on SQLite, 30 s with
   * DATABASE_URL, where a busy fleet's checkpoint is most of the shared server's work
   * (PERFORMANCE.md, "The state checkpoint on PostgreSQL").
   */
  @EnvOptionalInt()
  @IsOptional()
  @IsInt()
  @Min(1000)
  @Max(600_000)
  STATE_CHECKPOINT_MS?: number;
}

/** What the state checkpoint reads. */
export class StateCheckpointConfig extends ConfigSlice(from(StateCheckpointSettings)) {}
