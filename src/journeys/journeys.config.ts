import { ConfigSlice } from '#src/config/config-slice.js';

/** The settings journeys read: when an off-site stop or a delay is announced. */
export class JourneysConfig extends ConfigSlice(
  'JOURNEY_DWELL_MAX_MIN',
  'JOURNEY_ARRIVAL_DELAY_TOLERANCE_MIN',
) {}
