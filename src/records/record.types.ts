import type { AlertSeverity } from '#src/contracts/alert-event.js';
import type { Site } from '#src/shipments/geo/geofence.types.js';

/**
 * Input and output of the shipment compliance record (ARCHITECTURE.md §6, issue 7). Inputs carry epoch
 * milliseconds, as everything inside convoi; the output is shaped for a REST response, with times
 * as ISO-8601 UTC strings and durations in minutes.
 */

/** One stored reading, as read back from either time-series store. */
export interface RecordReading {
  measuredAt: number;
  temperatureC?: number;
  shockG?: number;
  lat?: number;
  lon?: number;
}

export type ExcursionAction = 'inspect' | 'reject';

/** The limits of the shipment's product profile, overrides applied. */
export interface RecordProfileLimits {
  id: string;
  /** Lowest acceptable temperature, °C (inclusive); absent for no lower limit. */
  minC?: number;
  /** Highest acceptable temperature, °C (inclusive); absent for no upper limit. */
  maxC?: number;
  /** Cumulative time out of range tolerated over the shipment, minutes. */
  toleratedExcursionMin: number;
  /** What cumulative time out of range beyond the tolerance means for this product. */
  excursionAction: ExcursionAction;
  /** Peak acceleration above which a reading is a shock, g; absent for no shock limit. */
  shockLimitG?: number;
  /** Fragile goods: a shock over the limit calls for inspection. */
  fragile: boolean;
  /** Interval at which the device is expected to report, milliseconds (> 0). */
  expectedIntervalMs: number;
}

export interface RecordLeg {
  id: string;
  fromSiteId: string;
  toSiteId: string;
  carrier: string;
  /** Start of the leg, epoch ms. */
  startAt: number;
  /** End of the leg, epoch ms; absent while under way. */
  endAt?: number;
}

export interface RecordAlertInput {
  alertId: string;
  rule: string;
  severity: AlertSeverity;
  openedAt: number;
  clearedAt?: number;
  peakValue?: number;
  message: string;
}

export interface RecordOptions {
  /** A silence longer than this many expected intervals is an offline gap (default 3). */
  gapFactor?: number;
  /** Completeness below this percentage calls for inspection (default 90). */
  minCompletenessPct?: number;
}

export interface ShipmentRecordInput {
  shipmentId: string;
  containerId: string;
  /** The span the record covers: departure (or loading) to arrival (or now), epoch ms. */
  period: { from: number; to: number };
  readings: readonly RecordReading[];
  profile: RecordProfileLimits;
  legs: readonly RecordLeg[];
  sites: readonly Site[];
  alerts: readonly RecordAlertInput[];
  /** When the record is computed, epoch ms. */
  generatedAt: number;
  options?: RecordOptions;
}

export type Disposition = 'accept' | 'inspect' | 'reject';

export type DispositionCode =
  | 'within-limits'
  | 'no-temperature-data'
  | 'excursion-over-tolerance'
  | 'excursion-within-tolerance'
  | 'mkt-above-limit'
  | 'shock-over-limit'
  | 'completeness-low';

export interface DispositionReason {
  code: DispositionCode;
  /** The disposition this reason alone calls for. */
  outcome: Disposition;
  message: string;
}

export interface ExcursionRecord {
  direction: 'above' | 'below';
  start: string;
  end: string;
  /** Warmest reading of an excursion above, coldest of one below, °C. */
  peakC: number;
  durationMin: number;
  /** True when the series ends out of range. */
  ongoing: boolean;
}

export interface ShockRecord {
  peakG: number;
  at: string;
  lat: number | null;
  lon: number | null;
  /** measuredAt of the fix the position comes from (the shock's own reading, or the last one before). */
  positionAt: string | null;
  legId: string | null;
  siteId: string | null;
  carrier: string | null;
}

export interface OfflineGapRecord {
  start: string;
  end: string;
  durationMin: number;
}

export interface RecordAlert {
  alertId: string;
  rule: string;
  severity: AlertSeverity;
  openedAt: string;
  clearedAt: string | null;
  peakValue: number | null;
  message: string;
}

export interface ShipmentRecord {
  shipmentId: string;
  containerId: string;
  profileId: string;
  period: { from: string; to: string };
  generatedAt: string;
  temperature: {
    readings: number;
    minC: number | null;
    maxC: number | null;
    /** Time-weighted mean, °C. */
    meanC: number | null;
    /** Mean kinetic temperature (USP <1079>), °C. */
    mktC: number | null;
    limits: { minC: number | null; maxC: number | null };
  };
  outOfRange: {
    cumulativeMin: number;
    longestMin: number;
    toleratedMin: number;
    excursions: ExcursionRecord[];
  };
  shocks: ShockRecord[];
  offlineGaps: OfflineGapRecord[];
  completeness: { expectedReadings: number; receivedReadings: number; pct: number };
  alerts: RecordAlert[];
  disposition: { decision: Disposition; reasons: DispositionReason[] };
}
