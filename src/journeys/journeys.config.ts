import { ConfigSlice, from } from '#src/config/config-slice.js';
import { EnvInt } from '#src/config/env-transforms.js';
import { IsInt, Max, Min } from 'class-validator';

/**
 * When journeys announce an off-site stop or a delay.
 */
export class JourneysSettings {
  /**
   * Longest stop outside any site before a `dwell` alert, minutes (journeys). 60 by default so
   * the 45-minute break EU drivers must take after 4.5 h at the wheel (Reg. 561/2006) is not an
   * alert.
   */
  @EnvInt()
  @IsInt()
  @Min(1)
  @Max(1440)
  JOURNEY_DWELL_MAX_MIN = 60;

  /** How far the ETA may pass the planned arrival before an `arrival-delay` alert, minutes. */
  @EnvInt()
  @IsInt()
  @Min(0)
  @Max(1440)
  JOURNEY_ARRIVAL_DELAY_TOLERANCE_MIN = 30;
}

/** What journeys read. */
export class JourneysConfig extends ConfigSlice(from(JourneysSettings)) {}
