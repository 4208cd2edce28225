import type { Band, GraceWindow } from '#src/contracts/rule-definition.js';

/**
 * Where a value stands against a band:
 * - `out`: outside the band and not tolerated by a grace window;
 * - `tolerated`: outside the band, but inside a grace window (warm-up, defrost);
 * - `near`: inside the band but within the clear margin of a limit (the hysteresis band): it
 *   neither starts an excursion nor helps an active one clear;
 * - `in`: inside the band by at least the margin.
 */
export type BandPosition = 'out' | 'tolerated' | 'near' | 'in';

/** How far outside the band a value is (field units); 0 inside. */
export function distanceOutside(value: number, band: Band): number {
  if (band.max !== undefined && value > band.max) return value - band.max;
  if (band.min !== undefined && value < band.min) return band.min - value;
  return 0;
}

/** The grace window covering `at`, if any; `[fromMs, toMs)`. */
export function graceAt(grace: readonly GraceWindow[] | undefined, at: number): GraceWindow | undefined {
  return grace?.find((w) => at >= w.fromMs && at < w.toMs);
}

export function bandPosition(
  value: number,
  at: number,
  band: Band,
  margin = 0,
  grace?: readonly GraceWindow[],
): BandPosition {
  if (distanceOutside(value, band) > 0) {
    const window = graceAt(grace, at);
    if (window === undefined) return 'out';
    if (window.toleranceAbove === undefined) return 'tolerated';
    // A defrost only lifts the upper limit: a too-cold load is not explained by a defrost.
    const lifted: Band = {
      ...band,
      max: band.max === undefined ? undefined : band.max + window.toleranceAbove,
    };
    return distanceOutside(value, lifted) > 0 ? 'out' : 'tolerated';
  }
  const nearMax = band.max !== undefined && value > band.max - margin;
  const nearMin = band.min !== undefined && value < band.min + margin;
  return nearMax || nearMin ? 'near' : 'in';
}

/** `temperatureC 5.2 above 4` / `batteryPct 12 below 20`. */
export function describeBreach(field: string, value: number, band: Band): string {
  if (band.max !== undefined && value > band.max) return `${field} ${value} above ${band.max}`;
  if (band.min !== undefined && value < band.min) return `${field} ${value} below ${band.min}`;
  return `${field} ${value} within band`;
}

export function minutes(ms: number): string {
  return `${Math.round((ms / 60_000) * 10) / 10} min`;
}
