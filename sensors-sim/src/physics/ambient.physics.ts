/**
 * Outside air in France in spring, by latitude and time of day: a daily wave, coolest near
 * 05:00 UTC, warmest near 14:00 UTC (solar noon is ~12:00 UTC and the air lags two hours).
 */
export function ambientTemperatureC(lat: number, atMs: number): number {
  // About 16 °C mean at Marseille (43.3° N), 11 °C at Lille (50.6° N).
  const mean = 16 - (lat - 43.3) * 0.7;
  return mean + 5 * dailyWave(atMs);
}

/** Relative humidity outside, %: highest at dawn, lowest in the afternoon. */
export function ambientHumidityPct(atMs: number): number {
  return 68 - 15 * dailyWave(atMs);
}

/** −1 at 05:00 UTC, +1 at 14:00 UTC; warming takes 9 h, cooling 15 h. */
export function dailyWave(atMs: number): number {
  const hour = (((atMs / 3_600_000) % 24) + 24) % 24;
  if (hour >= 5 && hour <= 14) return -Math.cos((Math.PI * (hour - 5)) / 9);
  const sinceWarmest = (hour - 14 + 24) % 24;
  return Math.cos((Math.PI * sinceWarmest) / 15);
}
