import type { ScenarioDefinition } from '../src/scenario/scenario.types.js';

/** Pallets dropped at the docks: loading in Lyon, unloading at Rungis. */
export const roughHandling: ScenarioDefinition = {
  name: 'rough-handling',
  description: 'Careless forklift work: pallets dropped (8–25 g) while loading and unloading two trailers.',
  expectedAlerts: [
    {
      rule: 'shock',
      severity: 'warning',
      containers: 'affected',
      why: 'drops of 8–25 g at the docks over the 8 g limit (critical over 16 g); forklift and road bumps stay ≤ 3 g',
    },
  ],
  devices: 6,
  durationMs: 10 * 3_600_000,
  uplinkIntervalMs: 60_000,
  format: 'json',
  speedup: 600,
  profile: 'chilled',
  routes: ['lyon-sqf--paris-rungis', 'paris-rungis--lille-lesquin'],
  departureSpreadMs: 30 * 60_000,
  affectedDevices: 2,
  incidents: { drops: { probability: 0.5, peakG: [8, 25] } },
};
