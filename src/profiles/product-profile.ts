/**
 * A product profile: what a planner picks for a shipment instead of typing thresholds
 * (ARCHITECTURE.md §6). Temperatures are air temperatures measured in the load space, °C.
 */
export type ProductProfileId =
  | 'frozen'
  | 'ice-cream'
  | 'chilled-2'
  | 'chilled-3'
  | 'chilled-4'
  | 'chilled-6'
  | 'chilled-7'
  | 'fresh-produce'
  | 'ambient'
  | 'fragile';

export interface ProductProfile {
  id: ProductProfileId;
  name: string;
  description: string;
  /** Inclusive band, °C; a missing side is unbounded. */
  temperature: { minC?: number; maxC?: number };
  /** Inclusive band, %RH, for goods that wilt or mould. */
  humidity?: { minPct?: number; maxPct?: number; toleratedMin: number };
  /** Excursion tolerated before an alert: in one stretch, and summed over the shipment. */
  toleratedExcursion: { consecutiveMin: number; cumulativeMin: number };
  /** An alert clears once the value is `marginC` back inside the band for `delayMin`. */
  clear: { marginC: number; delayMin: number };
  /** Peak acceleration, g, over which a shock is recorded and alerted. */
  shockLimitG: number;
  /** How often the sensors of such a load are expected to report, seconds. */
  expectedIntervalS: number;
  /** Offline after `offlineFactor` × `expectedIntervalS` without a reading. */
  offlineFactor: number;
  batteryLowPct: number;
  grace: {
    /** After loading, excursions of any size are tolerated this long (logger acclimatising). */
    warmUpMin: number;
    /** A declared defrost tolerates `defrostToleranceC` above the maximum this long. */
    defrostMin: number;
    defrostToleranceC: number;
  };
}
