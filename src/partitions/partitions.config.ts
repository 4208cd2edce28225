import { ConfigSlice, from } from '#src/config/config-slice.js';
import { EnvInt } from '#src/config/env-transforms.js';
import { IsInt, Max, Min } from 'class-validator';

/**
 * The partition count (`PARTITIONS`), fixed for the life of the data.
 */
export class PartitionsSettings {
  /**
   * Partitions the containers are spread over (`contracts/partition.ts`): the unit of ordering,
   * checkpoint and replay of the state kept per container. Fixed for the life of the data: the
   * count is recorded in `DATA_DIR` at first start, and a start with another one is refused.
   */
  @EnvInt()
  @IsInt()
  @Min(1)
  @Max(4096)
  PARTITIONS = 64;
}

/** What partitioning reads. */
export class PartitionsConfig extends ConfigSlice(from(PartitionsSettings)) {}
