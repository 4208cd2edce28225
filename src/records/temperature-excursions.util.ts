/**
 * Excursions out of a temperature band, from a sampled series.
 *
 * Counting rule (sample-and-hold, conservative): an excursion starts at the first reading out of
 * range and lasts until the next reading that is not out of range in the same direction, however
 * long the wait, because nobody saw the product come back before then (an offline gap inside an
 * excursion counts as out of range; it is also reported as a gap). A series that ends out of range
 * holds its last reading for one expected interval, never past the end of the period.
 * The band is inclusive: a reading equal to a limit is in range.
 */
export interface TemperatureBand {
  minC?: number;
  maxC?: number;
}

export interface Excursion {
  direction: 'above' | 'below';
  startMs: number;
  endMs: number;
  peakC: number;
  ongoing: boolean;
}

export interface TimedTemperature {
  measuredAt: number;
  temperatureC: number;
}

export type BandStatus = 'in-range' | 'above' | 'below';

export function bandStatus(band: TemperatureBand, c: number): BandStatus {
  if (band.maxC !== undefined && c > band.maxC) return 'above';
  if (band.minC !== undefined && c < band.minC) return 'below';
  return 'in-range';
}

/**
 * Excursions of an ascending series. `tailHoldMs` is how long the last reading holds (one expected
 * interval); `periodEndMs` bounds it.
 */
export function findExcursions(
  series: readonly TimedTemperature[],
  band: TemperatureBand,
  tailHoldMs: number,
  periodEndMs: number,
): Excursion[] {
  const excursions: Excursion[] = [];
  let open: Omit<Excursion, 'endMs' | 'ongoing'> | undefined;
  for (const r of series) {
    const status = bandStatus(band, r.temperatureC);
    if (open && status !== open.direction) {
      excursions.push({ ...open, endMs: r.measuredAt, ongoing: false });
      open = undefined;
    }
    if (status === 'in-range') continue;
    if (!open) {
      open = { direction: status, startMs: r.measuredAt, peakC: r.temperatureC };
    } else if (status === 'above' ? r.temperatureC > open.peakC : r.temperatureC < open.peakC) {
      open.peakC = r.temperatureC;
    }
  }
  const last = series[series.length - 1];
  if (open && last) {
    const endMs = Math.max(last.measuredAt, Math.min(last.measuredAt + tailHoldMs, periodEndMs));
    excursions.push({ ...open, endMs, ongoing: true });
  }
  return excursions;
}
