import { decideDisposition } from './disposition.policy.js';
import {
  meanKineticTemperature,
  timeWeightedMean,
  type TemperatureSample,
} from './mean-kinetic-temperature.util.js';
import { findOfflineGaps } from './offline-gaps.util.js';
import type { RecordReading, ShipmentRecord, ShipmentRecordInput } from './record.types.js';
import { findShocks } from './shock-context.util.js';
import { findExcursions, type TimedTemperature } from './temperature-excursions.util.js';

export const DEFAULT_GAP_FACTOR = 3;
export const DEFAULT_MIN_COMPLETENESS_PCT = 90;

const MINUTE_MS = 60_000;

/**
 * The compliance record of one shipment (ARCHITECTURE.md §6), computed only from the stored series and
 * the profile, so it is the same during and after the trip and from either time-series store.
 *
 * - Readings outside the period, without a finite measuredAt, or repeating a measuredAt already
 *   seen (first kept) are left out.
 * - Mean and MKT are time-weighted, each reading standing for at most one expected interval
 *   (see mean-kinetic-temperature.util.ts), so a gap does not inflate its neighbours.
 * - Completeness = temperature readings received / expected, expected = ⌊period / interval⌋ + 1,
 *   capped at 100 %: temperature is what the record must prove.
 * - Excursions: sample-and-hold (temperature-excursions.util.ts); gaps: > gapFactor × interval.
 */
export function buildShipmentRecord(input: ShipmentRecordInput): ShipmentRecord {
  const { profile, period } = input;
  // A stored profile with a zero or absurd interval must not divide by zero: at least 1 s.
  const intervalMs = Number.isFinite(profile.expectedIntervalMs)
    ? Math.max(1_000, profile.expectedIntervalMs)
    : 60_000;
  const gapFactor = input.options?.gapFactor ?? DEFAULT_GAP_FACTOR;
  const minCompletenessPct = input.options?.minCompletenessPct ?? DEFAULT_MIN_COMPLETENESS_PCT;

  const readings = seriesWithin(input.readings, period.from, period.to);
  const temps: TimedTemperature[] = readings.flatMap((r) =>
    typeof r.temperatureC === 'number' && Number.isFinite(r.temperatureC)
      ? [{ measuredAt: r.measuredAt, temperatureC: r.temperatureC }]
      : [],
  );
  const samples: TemperatureSample[] = temps.map((r) => ({ t: r.measuredAt, c: r.temperatureC }));
  const weighting = { maxHalfIntervalMs: intervalMs / 2 };
  const mktC = meanKineticTemperature(samples, weighting);
  const meanC = timeWeightedMean(samples, weighting);

  const band = { minC: profile.minC, maxC: profile.maxC };
  const excursions = findExcursions(temps, band, intervalMs, period.to);
  const durationsMin = excursions.map((e) => (e.endMs - e.startMs) / MINUTE_MS);
  const cumulativeMin = durationsMin.reduce((a, b) => a + b, 0);

  const shocks = findShocks(readings, profile.shockLimitG, input.legs, input.sites);
  const gaps = findOfflineGaps(
    readings.map((r) => r.measuredAt),
    period.from,
    period.to,
    gapFactor * intervalMs,
  );
  const expectedReadings = Math.floor(Math.max(0, period.to - period.from) / intervalMs) + 1;
  const completenessPct = Math.min(100, (100 * temps.length) / expectedReadings);

  const disposition = decideDisposition(
    profile,
    {
      temperatureReadings: temps.length,
      cumulativeOutOfRangeMin: cumulativeMin,
      mktC,
      shockPeaksG: shocks.map((s) => s.peakG),
      completenessPct,
    },
    minCompletenessPct,
  );

  // reduce, not Math.min(...values): a long trip at 10 s has more readings than the call stack allows.
  const values = temps.map((r) => r.temperatureC);
  return {
    shipmentId: input.shipmentId,
    containerId: input.containerId,
    profileId: profile.id,
    period: { from: iso(period.from), to: iso(period.to) },
    generatedAt: iso(input.generatedAt),
    temperature: {
      readings: temps.length,
      minC: values.length > 0 ? values.reduce((a, b) => Math.min(a, b)) : null,
      maxC: values.length > 0 ? values.reduce((a, b) => Math.max(a, b)) : null,
      meanC: round(meanC, 3),
      mktC: round(mktC, 3),
      limits: { minC: profile.minC ?? null, maxC: profile.maxC ?? null },
    },
    outOfRange: {
      cumulativeMin: round(cumulativeMin, 2) ?? 0,
      longestMin:
        round(
          durationsMin.reduce((a, b) => Math.max(a, b), 0),
          2,
        ) ?? 0,
      toleratedMin: profile.toleratedExcursionMin,
      excursions: excursions.map((e, i) => ({
        direction: e.direction,
        start: iso(e.startMs),
        end: iso(e.endMs),
        peakC: e.peakC,
        durationMin: round(durationsMin[i], 2) ?? 0,
        ongoing: e.ongoing,
      })),
    },
    shocks,
    offlineGaps: gaps.map((g) => ({
      start: iso(g.startMs),
      end: iso(g.endMs),
      durationMin: round((g.endMs - g.startMs) / MINUTE_MS, 2) ?? 0,
    })),
    completeness: {
      expectedReadings,
      receivedReadings: temps.length,
      pct: round(completenessPct, 1) ?? 0,
    },
    alerts: input.alerts.map((a) => ({
      alertId: a.alertId,
      rule: a.rule,
      severity: a.severity,
      openedAt: iso(a.openedAt),
      clearedAt: a.clearedAt === undefined ? null : iso(a.clearedAt),
      peakValue: a.peakValue ?? null,
      message: a.message,
    })),
    disposition,
  };
}

/** Readings in [from, to], ascending, one per measuredAt (the first seen wins). */
export function seriesWithin(readings: readonly RecordReading[], from: number, to: number): RecordReading[] {
  const seen = new Set<number>();
  return readings
    .filter((r) => Number.isFinite(r.measuredAt) && r.measuredAt >= from && r.measuredAt <= to)
    .filter((r) => !seen.has(r.measuredAt) && seen.add(r.measuredAt) !== undefined)
    .sort((a, b) => a.measuredAt - b.measuredAt);
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function round(x: number | undefined, digits: number): number | null {
  if (x === undefined || !Number.isFinite(x)) return null;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
